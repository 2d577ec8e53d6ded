//! Application clients: requests at a rate and read/write mix, routed through endpoints, each
//! timed from the client's side, so what a user of the database would see is what is measured.
//!
//! Writes go through the cluster endpoint, reads through the reader endpoint (or a custom one).
//! A client resolves an endpoint by asking DNS and caches the answer for the TTL; requests wait
//! for the answer. A request that gets no answer within the timeout counts as an error.

use crate::compute::instance::Instance;
use crate::compute::instance::Role;
use crate::compute::read::{self, respond, Reply};
use crate::compute::writer::Held;
use crate::compute::Compute;
use crate::endpoint::{self, EndpointId, DNS_TTL};
use crate::engine::{Due, Kernel, Payload};
use crate::ids::NodeId;
use crate::metrics::Metrics;
pub use crate::settings::load::{ClientWorkload, Pattern, MAX_CLIENTS};
use crate::storage::Storage;
use crate::time::{SimDuration, SimTime};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// How clients reach the cluster: its endpoints, the regional DNS service, and the clients.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Access {
    pub endpoints: crate::endpoint::Endpoints,
    /// The regional DNS service node.
    pub dns: NodeId,
    pub clients: Clients,
}

impl Access {
    /// The cluster endpoint at the writer `node`, no custom endpoints and no clients yet.
    pub fn new(node: NodeId, dns: NodeId) -> Access {
        Access {
            endpoints: crate::endpoint::Endpoints {
                cluster: node,
                custom: alloc::vec::Vec::new(),
            },
            dns,
            clients: Clients::default(),
        }
    }
}

/// How long a client waits for an answer before counting an error. [sim default — not sourced]
pub const CLIENT_TIMEOUT: SimDuration = SimDuration::from_secs(2);
/// Shortest gap between client ticks. Each tick is scheduled for when the next request is due,
/// so requests arrive spread through time, one per tick, up to 1 / this rate; beyond it a tick
/// issues several. Clumping a millisecond's requests into one instant would make the writer's
/// boxcars fewer and bigger than real clients make them. [sim default — not sourced]
pub const CLIENT_TICK: SimDuration = SimDuration::from_micros(10);
/// Gap between client ticks while the rate is zero (a ramp from zero, a burst's quiet part).
/// [sim default — not sourced]
pub const IDLE_TICK: SimDuration = SimDuration::from_millis(100);
use crate::compute::read::REQUEST_BYTES;
/// An instance refuses requests once its CPU queue is this long. [sim default — not sourced]
pub const OVERLOAD_QUEUE: SimDuration = SimDuration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Req {
    id: u64,
    start: SimTime,
    write: bool,
    done: bool,
}

/// One client.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Client {
    pub node: NodeId,
    /// Cached DNS answers for the write and the read endpoint: target and expiry.
    pub dns: [Option<(NodeId, SimTime)>; 2],
    dns_pending: [bool; 2],
    dns_asked: [SimTime; 2],
    waiting: [VecDeque<u64>; 2],
    outstanding: VecDeque<Req>,
    next_req: u64,
}

impl Client {
    /// Requests sent and not yet answered, and when the oldest of them was sent.
    pub fn waiting(&self) -> (usize, Option<SimTime>) {
        let mut n = 0;
        let mut oldest = None;
        for r in self.outstanding.iter().filter(|r| !r.done) {
            n += 1;
            oldest = Some(oldest.map_or(r.start, |o: SimTime| o.min(r.start)));
        }
        (n, oldest)
    }
}

impl Clients {
    /// Every client's unanswered requests, and when the oldest was sent.
    pub fn waiting(&self) -> (usize, Option<SimTime>) {
        self.clients
            .iter()
            .map(Client::waiting)
            .fold((0, None), |(n, o), (m, p)| {
                (
                    n + m,
                    match (o, p) {
                        (Some(a), Some(b)) => Some(core::cmp::min(a, b)),
                        (a, b) => a.or(b),
                    },
                )
            })
    }
}

/// All clients and the generator's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Clients {
    pub config: ClientWorkload,
    pub clients: Vec<Client>,
    carry: u64,
    last_tick: SimTime,
    started: SimTime,
    tick_scheduled: bool,
}

impl Clients {
    /// The request rate now, the workload's pattern applied (a ramp's rate part-way up it).
    pub fn rate_now(&self, now: SimTime) -> u32 {
        let rate = self.config.rate_at(now - self.started);
        u32::try_from(rate).unwrap_or(u32::MAX)
    }
}

fn ep_index(write: bool) -> usize {
    if write {
        0
    } else {
        1
    }
}

/// Replaces the client workload, adding client nodes as needed.
pub(crate) fn set(k: &mut Kernel, a: &mut Access, config: ClientWorkload) {
    while a.clients.clients.len() < config.clients as usize {
        let az = crate::ids::AzId((a.clients.clients.len() % crate::topology::AZ_COUNT) as u8);
        let node = k.topo.add(
            crate::topology::NodeKind::Client,
            crate::ids::RegionId(0),
            Some(az),
        );
        a.clients.clients.push(Client {
            node,
            dns: [None; 2],
            dns_pending: [false; 2],
            dns_asked: [SimTime::ZERO; 2],
            waiting: [VecDeque::new(), VecDeque::new()],
            outstanding: VecDeque::new(),
            next_req: 0,
        });
    }
    let c = &mut a.clients;
    c.config = config;
    c.started = k.now;
    if !c.tick_scheduled && config.clients > 0 && config.requests_per_sec > 0 {
        c.tick_scheduled = true;
        c.last_tick = k.now;
        k.schedule(k.now, Due::ClientTick);
    }
}

pub(crate) fn on_tick(k: &mut Kernel, a: &mut Access, metrics: &mut Metrics) {
    let c = &mut a.clients;
    let dt = (k.now - c.last_tick).as_micros();
    c.last_tick = k.now;
    let cfg = c.config;
    let active = cfg.clients > 0 && cfg.requests_per_sec > 0 && !c.clients.is_empty();
    let rate = cfg.rate_at(k.now - c.started);
    c.carry += rate * dt;
    let n = c.carry / 1_000_000;
    c.carry %= 1_000_000;
    if active {
        let next = if rate == 0 {
            IDLE_TICK.as_micros()
        } else {
            (1_000_000u64.saturating_sub(c.carry))
                .div_ceil(rate)
                .max(CLIENT_TICK.as_micros())
                .min(IDLE_TICK.as_micros())
        };
        k.schedule_in(SimDuration::from_micros(next), Due::ClientTick);
    } else {
        c.tick_scheduled = false;
    }
    let clients = a.clients.clients.len().min(cfg.clients as usize);
    for _ in 0..n {
        if clients == 0 {
            break;
        }
        let i = k.rng.below(clients as u64) as usize;
        let write = !k.rng.chance_ppm(cfg.read_ppm);
        // A client whose own host is down (its AZ failed) sends nothing.
        if k.topo.is_up(a.clients.clients[i].node) {
            request(k, a, i, write);
        }
    }
    sweep(k, a, metrics);
}

/// Issues one request from client `i`.
fn request(k: &mut Kernel, a: &mut Access, i: usize, write: bool) {
    let now = k.now;
    let cl = &mut a.clients.clients[i];
    let id = cl.next_req;
    cl.next_req += 1;
    cl.outstanding.push_back(Req {
        id,
        start: now,
        write,
        done: false,
    });
    let e = ep_index(write);
    match cl.dns[e] {
        Some((target, expires)) if expires > now => send_query(k, a, i, target, id, write),
        _ => {
            cl.waiting[e].push_back(id);
            if !cl.dns_pending[e] {
                cl.dns_pending[e] = true;
                cl.dns_asked[e] = now;
                let (from, to) = (cl.node, a.dns);
                ask_dns(k, from, to, write);
            }
        }
    }
}

fn ask_dns(k: &mut Kernel, from: NodeId, dns: NodeId, write: bool) {
    k.send(from, dns, 64, Payload::DnsQuery { write });
}

fn send_query(k: &mut Kernel, a: &Access, i: usize, target: NodeId, req: u64, write: bool) {
    let from = a.clients.clients[i].node;
    k.send(from, target, REQUEST_BYTES, Payload::Query { req, write });
}

/// At the DNS service: answer with the endpoint's current target.
pub(crate) fn on_dns_query(
    k: &mut Kernel,
    a: &Access,
    instances: &[Instance],
    client: NodeId,
    write: bool,
) {
    let ep = if write {
        EndpointId::Cluster
    } else {
        a.clients.config.read_endpoint
    };
    let target = endpoint::resolve(k, &a.endpoints, instances, ep);
    k.send(a.dns, client, 64, Payload::DnsAnswer { write, target });
}

/// At the client: cache the answer for the TTL and send what waited for it.
pub(crate) fn on_dns_answer(
    k: &mut Kernel,
    a: &mut Access,
    client: NodeId,
    write: bool,
    target: NodeId,
) {
    let Some(i) = a.clients.clients.iter().position(|c| c.node == client) else {
        return;
    };
    let e = ep_index(write);
    let cl = &mut a.clients.clients[i];
    cl.dns[e] = Some((target, k.now + DNS_TTL));
    cl.dns_pending[e] = false;
    // A request that timed out while it waited was counted an error then: it is not sent.
    let waiting: Vec<u64> = cl.waiting[e]
        .drain(..)
        .filter(|id| cl.outstanding.iter().any(|r| r.id == *id && !r.done))
        .collect();
    for id in waiting {
        send_query(k, a, i, target, id, write);
    }
}

/// What a request reaches beyond the access layer: the instances, the volume, the figures,
/// whether something holds writes, and the writes a fenced old writer takes (they wait there
/// until the failover refuses them).
pub(crate) struct Served<'a> {
    pub compute: &'a mut Compute,
    pub storage: &'a Storage,
    pub metrics: &'a mut Metrics,
    pub held: Held,
    pub fenced_pending: &'a mut Vec<(NodeId, u64)>,
}

/// At an instance: queue the request for its CPU (waking it if paused), or refuse it.
pub(crate) fn on_query(
    k: &mut Kernel,
    a: &Access,
    s: Served,
    at: NodeId,
    client: NodeId,
    req: u64,
    write: bool,
) {
    let now = k.now;
    let Some(inst) = s.compute.instances.iter_mut().find(|i| i.node == at) else {
        return;
    };
    inst.served += 1;
    crate::compute::instance::wake(k, inst);
    if !inst.serving(now) {
        // Paused, resuming or swapping v1 compute: the connection waits.
        let at_time = inst
            .serverless
            .resuming_until
            .unwrap_or(now + SimDuration::from_millis(100))
            .max(now + SimDuration::from_millis(1));
        k.schedule(
            at_time,
            Due::Serve {
                node: at,
                client,
                req,
                write,
            },
        );
        return;
    }
    let cost = if write {
        crate::compute::instance::CPU_MICROS_PER_WRITE
    } else {
        crate::compute::instance::CPU_MICROS_PER_READ
    };
    let Some(start) = crate::compute::instance::charge(inst, now, cost, OVERLOAD_QUEUE) else {
        s.metrics.overloaded += 1;
        respond(k, at, client, req, false);
        return;
    };
    if start > now {
        k.schedule(
            start,
            Due::Serve {
                node: at,
                client,
                req,
                write,
            },
        );
    } else {
        serve(k, a, s, at, client, req, write);
    }
}

/// The instance runs the request now.
#[allow(clippy::too_many_arguments)]
pub(crate) fn serve(
    k: &mut Kernel,
    a: &Access,
    s: Served,
    at: NodeId,
    client: NodeId,
    req: u64,
    write: bool,
) {
    let Served {
        compute: c,
        storage: st,
        metrics,
        held,
        fenced_pending,
    } = s;
    let Some(idx) = c.instances.iter().position(|i| i.node == at) else {
        return;
    };
    if !k.topo.is_up(at) {
        return;
    }
    if !c.instances[idx].serving(k.now) {
        // Still waking: try again shortly.
        k.schedule_in(
            SimDuration::from_millis(100),
            Due::Serve {
                node: at,
                client,
                req,
                write,
            },
        );
        return;
    }
    if let Some(woke) = c.instances[idx].serverless.woke_at.take() {
        // The first request served since a pause: how long the wake-up kept it waiting.
        metrics.resumes.push(k.now - woke);
    }
    let role = c.instances[idx].role;
    let reply = Reply::Client { client, req };
    let hot = a.clients.config.hot_bytes;
    match (role, write) {
        (Role::Writer, true) if c.recovery.is_none() => {
            let mtrs = a.clients.config.mtrs_per_txn;
            if !crate::compute::writer::run_transaction(k, c, metrics, held, mtrs, reply) {
                respond(k, at, client, req, false);
            }
        }
        (Role::Writer, false) if c.recovery.is_none() => {
            let (point, hit) = (c.writer.log.vdl(), c.instances[idx].cache_hit_ppm(hot));
            if read::start(k, c, st, metrics, at, point, hit, reply) {
                respond(k, at, client, req, true);
            }
        }
        (Role::Replica | Role::Fenced, false) => {
            let inst = &c.instances[idx];
            let (point, hit) = (inst.read_point, inst.cache_hit_ppm(hot));
            if read::start(k, c, st, metrics, at, point, hit, reply) {
                respond(k, at, client, req, true);
            }
        }
        // A writer that has been replaced but does not know it yet takes the write; storage
        // will refuse it for its stale epoch when the writer can reach storage again.
        (Role::Fenced, true) => fenced_pending.push((client, req)),
        // A replica refuses writes ("read-only"), as does anything starting or recovering.
        _ => respond(k, at, client, req, false),
    }
}

/// At the client: the answer, timed from when the request was issued.
pub(crate) fn on_answer(
    k: &mut Kernel,
    a: &mut Access,
    metrics: &mut Metrics,
    client: NodeId,
    req: u64,
    ok: bool,
) {
    let Some(cl) = a.clients.clients.iter_mut().find(|c| c.node == client) else {
        return;
    };
    let Some(front) = cl.outstanding.front() else {
        return;
    };
    let Some(r) = req
        .checked_sub(front.id)
        .and_then(|i| cl.outstanding.get_mut(i as usize))
    else {
        return;
    };
    if r.done {
        return;
    }
    r.done = true;
    let (write, latency) = (r.write, k.now - r.start);
    let mx = metrics;
    if !ok {
        mx.client_errors += 1;
        return;
    }
    mx.client_ok += 1;
    if write {
        mx.client_write_latency.record(latency.as_micros());
        if let Some(last) = mx.last_client_write {
            mx.client_write_gap_max = mx.client_write_gap_max.max(k.now - last);
        }
        mx.last_client_write = Some(k.now);
    } else {
        mx.client_read_latency.record(latency.as_micros());
    }
}

/// Drops answered requests and counts those that timed out.
fn sweep(k: &mut Kernel, a: &mut Access, metrics: &mut Metrics) {
    let now = k.now;
    for cl in &mut a.clients.clients {
        while let Some(r) = cl.outstanding.front() {
            if r.done {
                cl.outstanding.pop_front();
            } else if now - r.start >= CLIENT_TIMEOUT {
                metrics.client_errors += 1;
                cl.outstanding.pop_front();
            } else {
                break;
            }
        }
        // A DNS question that never came back is asked again.
        for e in 0..2 {
            if cl.dns_pending[e] && now - cl.dns_asked[e] >= CLIENT_TIMEOUT {
                cl.dns_asked[e] = now;
                ask_dns(k, cl.node, a.dns, e == 0);
            }
        }
    }
}

/// Clients whose cached answer for an endpoint points at `node`: its connections.
pub fn connections_to(m: &Clients, node: NodeId, now: SimTime) -> u32 {
    m.clients
        .iter()
        .filter(|c| {
            c.dns
                .iter()
                .flatten()
                .any(|(t, exp)| *t == node && *exp > now)
        })
        .count() as u32
}

#[cfg(test)]
mod tests {
    //! The access layer on its own: a kernel, a one-PG volume, a writer and its replicas, the
    //! DNS node and the clients, and no `Sim` around them. What a handler sends or schedules is
    //! read back off the kernel's queue.

    use super::*;
    use crate::compute::instance::CLASSES;
    use crate::compute::writer::{Writer, WriterConfig};
    use crate::event::MsgKind;
    use crate::ids::{AzId, RegionId};
    use crate::lsn::Lsn;
    use crate::storage::{volume, StorageConfig};
    use crate::topology::NodeKind;
    use alloc::collections::BTreeMap;

    /// The writer's VDL: the volume and the writer start durable to it.
    const VDL: Lsn = Lsn(100);

    fn at_ms(ms: u64) -> SimTime {
        SimTime::from_micros(ms * 1000)
    }

    /// `clients` clients sending `requests_per_sec`, all reads, over a hot set no cache holds
    /// (so every read goes to storage).
    fn workload(clients: u8, requests_per_sec: u32) -> ClientWorkload {
        ClientWorkload {
            clients,
            requests_per_sec,
            read_ppm: crate::rng::PPM,
            hot_bytes: u64::MAX,
            ..ClientWorkload::default()
        }
    }

    /// A message as the tests compare it: who sent what to whom.
    #[derive(Debug, PartialEq, Eq)]
    enum Sent {
        DnsQuery {
            from: NodeId,
            to: NodeId,
            write: bool,
        },
        Query {
            from: NodeId,
            to: NodeId,
            req: u64,
            write: bool,
        },
        Answer {
            from: NodeId,
            to: NodeId,
            req: u64,
            ok: bool,
        },
        DnsAnswer {
            to: NodeId,
            write: bool,
            target: NodeId,
        },
        /// A page read; which segment is `read`'s business, here only the reader and the point.
        PageRead {
            from: NodeId,
            need: Lsn,
        },
        Other(MsgKind),
    }

    /// Everything queued, with when it is due; the queue is emptied and the clock left as it was.
    fn queued(k: &mut Kernel) -> Vec<(SimTime, Due)> {
        let now = k.now;
        let mut out = Vec::new();
        while let Some(due) = k.pop_until(SimTime::MAX) {
            out.push((k.now, due));
        }
        k.now = now;
        out
    }

    /// The messages put on the wire since the queue was last emptied, in the order sent.
    fn sent(k: &mut Kernel) -> Vec<Sent> {
        let mut msgs: Vec<_> = queued(k)
            .into_iter()
            .filter_map(|(_, due)| match due {
                Due::Deliver(m) => Some(m),
                _ => None,
            })
            .collect();
        msgs.sort_by_key(|m| m.id);
        msgs.iter()
            .map(|m| match m.payload {
                Payload::DnsQuery { write } => Sent::DnsQuery {
                    from: m.from,
                    to: m.to,
                    write,
                },
                Payload::DnsAnswer { write, target } => Sent::DnsAnswer {
                    to: m.to,
                    write,
                    target,
                },
                Payload::Query { req, write } => Sent::Query {
                    from: m.from,
                    to: m.to,
                    req,
                    write,
                },
                Payload::Answer { req, ok } => Sent::Answer {
                    from: m.from,
                    to: m.to,
                    req,
                    ok,
                },
                Payload::PageRead { need, .. } => Sent::PageRead { from: m.from, need },
                _ => Sent::Other(m.kind),
            })
            .collect()
    }

    /// When the client ticks queued are due (the queue is emptied).
    fn ticks(k: &mut Kernel) -> Vec<SimTime> {
        queued(k)
            .into_iter()
            .filter(|(_, due)| matches!(due, Due::ClientTick))
            .map(|(at, _)| at)
            .collect()
    }

    /// The model's parts a request reaches, with the access layer beside them.
    struct Cluster {
        k: Kernel,
        a: Access,
        c: Compute,
        st: Storage,
        metrics: Metrics,
        fenced: Vec<(NodeId, u64)>,
    }

    impl Cluster {
        /// A writer in the first AZ, `replicas` replicas in the AZs after it (each caught up to
        /// VDL), the DNS node, and `clients` clients that send nothing on their own (rate 0).
        fn new(replicas: u8, clients: u8) -> Cluster {
            let mut k = Kernel::new(11);
            let st = volume::build(&mut k, StorageConfig::default(), 1, RegionId(0), VDL);
            let dns = k.topo.add(NodeKind::Dns, RegionId(0), None);
            let writer = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
            let mut c = Compute::new(
                Writer::starting_at(writer, st.pgs.len(), WriterConfig::default(), VDL),
                Instance::new(writer, CLASSES[1], 1, Role::Writer),
            );
            for i in 0..replicas {
                let az = AzId((1 + i) % crate::topology::AZ_COUNT as u8);
                let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(az));
                let mut replica = Instance::new(node, CLASSES[1], 1, Role::Replica);
                replica.read_point = VDL;
                c.instances.push(replica);
            }
            let mut a = Access::new(writer, dns);
            set(&mut k, &mut a, workload(clients, 0));
            Cluster {
                k,
                a,
                c,
                st,
                metrics: Metrics::default(),
                fenced: Vec::new(),
            }
        }

        fn writer(&self) -> NodeId {
            self.c.writer.node
        }

        fn replica(&self, i: usize) -> NodeId {
            self.c.instances[1 + i].node
        }

        fn client(&self, i: usize) -> NodeId {
            self.a.clients.clients[i].node
        }

        fn take_down(&mut self, node: NodeId) {
            self.k.topo.nodes[node.index()].up = false;
        }

        /// What DNS answers the first client for the write or the read endpoint right now.
        fn resolve(&mut self, write: bool) -> NodeId {
            let client = self.client(0);
            on_dns_query(&mut self.k, &self.a, &self.c.instances, client, write);
            match sent(&mut self.k)[..] {
                [Sent::DnsAnswer {
                    to,
                    write: w,
                    target,
                }] if to == client && w == write => target,
                ref other => panic!("expected one DNS answer to {client}, got {other:?}"),
            }
        }

        /// Client `i` caches `target` for the write or the read endpoint, as DNS answered.
        fn answer_dns(&mut self, i: usize, write: bool, target: NodeId) {
            let client = self.client(i);
            on_dns_answer(&mut self.k, &mut self.a, client, write, target);
        }

        /// Client `i` issues a request now.
        fn request(&mut self, i: usize, write: bool) {
            request(&mut self.k, &mut self.a, i, write);
        }

        /// Request `req` of the first client arrives at instance `at`, as the dispatch hands it.
        fn query(&mut self, at: NodeId, req: u64, write: bool) {
            let client = self.client(0);
            let served = Served {
                compute: &mut self.c,
                storage: &self.st,
                metrics: &mut self.metrics,
                held: Held(false),
                fenced_pending: &mut self.fenced,
            };
            on_query(&mut self.k, &self.a, served, at, client, req, write);
        }

        fn answer(&mut self, req: u64, ok: bool) {
            let client = self.client(0);
            on_answer(&mut self.k, &mut self.a, &mut self.metrics, client, req, ok);
        }

        fn tick(&mut self) {
            on_tick(&mut self.k, &mut self.a, &mut self.metrics);
        }
    }

    /// Clients are application hosts spread over the AZs: `set` adds one client node per
    /// client, in the AZs in turn, and starts a single tick; a tick issues the requests that
    /// came due at the configured rate and is rescheduled for when the next one is due.
    #[test]
    fn set_adds_clients_across_the_azs_and_ticks_at_the_request_rate() {
        let mut cl = Cluster::new(1, 0);
        cl.k.now = SimTime::from_secs(1);
        set(&mut cl.k, &mut cl.a, workload(4, 1000));
        let placed: Vec<_> =
            cl.a.clients
                .clients
                .iter()
                .map(|c| {
                    let n = cl.k.topo.node(c.node);
                    (n.kind, n.az)
                })
                .collect();
        let client_in = |az| (NodeKind::Client, Some(AzId(az)));
        assert_eq!(
            placed,
            [client_in(0), client_in(1), client_in(2), client_in(0)]
        );
        // Setting the workload again while it runs starts no second tick.
        set(&mut cl.k, &mut cl.a, workload(4, 1000));
        assert_eq!(cl.a.clients.clients.len(), 4);
        assert_eq!(ticks(&mut cl.k), [SimTime::from_secs(1)]);

        // 10 ms at 1000 requests/s is ten requests; the next is due 1 ms later.
        cl.k.now = SimTime::from_secs(1) + SimDuration::from_millis(10);
        cl.tick();
        assert_eq!(cl.a.clients.waiting(), (10, Some(cl.k.now)));
        assert_eq!(ticks(&mut cl.k), [cl.k.now + SimDuration::from_millis(1)]);
    }

    /// The cluster endpoint always names the writer, replicas or not. The reader endpoint draws
    /// at random among the available replicas: never the writer while one is available, never
    /// a replica that is down or still being created.
    #[test]
    fn the_cluster_endpoint_names_the_writer_and_the_reader_endpoint_a_random_available_replica() {
        let mut cl = Cluster::new(4, 1);
        let down = cl.replica(1);
        cl.take_down(down);
        cl.c.instances[4].role = Role::Creating {
            ready_at: SimTime::from_secs(300),
            replica: true,
        };
        let mut picks: BTreeMap<NodeId, u32> = BTreeMap::new();
        for _ in 0..60 {
            assert_eq!(cl.resolve(true), cl.writer());
            *picks.entry(cl.resolve(false)).or_default() += 1;
        }
        let picked: Vec<NodeId> = picks.keys().copied().collect();
        assert_eq!(picked, [cl.replica(0), cl.replica(2)], "{picks:?}");
        assert!(
            picks.values().all(|&n| n >= 15),
            "random, not fixed: {picks:?}"
        );
    }

    /// With no replica to hand out, the reader endpoint resolves to the writer (reference
    /// §4.2): with none in the cluster, and with the only one down.
    #[test]
    fn the_reader_endpoint_resolves_to_the_writer_when_there_is_no_replica() {
        let mut alone = Cluster::new(0, 1);
        assert_eq!(alone.resolve(false), alone.writer());

        let mut lost = Cluster::new(1, 1);
        assert_eq!(lost.resolve(false), lost.replica(0));
        let replica = lost.replica(0);
        lost.take_down(replica);
        assert_eq!(lost.resolve(false), lost.writer());
    }

    /// A client resolves an endpoint once per connection, not per query: the requests that
    /// arrive while the answer is on its way wait behind a single DNS question, and then all
    /// go to the instance DNS named, as do later ones while the answer is cached.
    #[test]
    fn requests_wait_for_one_dns_answer_then_all_go_to_the_instance_it_names() {
        let mut cl = Cluster::new(2, 1);
        set(&mut cl.k, &mut cl.a, workload(1, 1000));
        queued(&mut cl.k);
        let (client, dns, replica) = (cl.client(0), cl.a.dns, cl.replica(1));

        cl.k.now = at_ms(10);
        cl.tick();
        assert_eq!(cl.a.clients.waiting().0, 10);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::DnsQuery {
                from: client,
                to: dns,
                write: false
            }]
        );

        cl.k.now = at_ms(11);
        cl.answer_dns(0, false, replica);
        let to_replica = |req| Sent::Query {
            from: client,
            to: replica,
            req,
            write: false,
        };
        assert_eq!(sent(&mut cl.k), (0..10).map(to_replica).collect::<Vec<_>>());
        assert_eq!(
            cl.a.clients.clients[0].dns[1],
            Some((replica, at_ms(11) + DNS_TTL))
        );

        // Two more milliseconds, two more requests: straight to the same replica, no question.
        cl.k.now = at_ms(12);
        cl.tick();
        assert_eq!(sent(&mut cl.k), [to_replica(10), to_replica(11)]);
    }

    /// DNS answers live for the 5 s TTL: until then a client keeps its connection to the
    /// instance it was given (what `connections_to` counts), at the TTL it asks again.
    #[test]
    fn a_cached_answer_is_a_connection_kept_for_the_five_second_ttl() {
        let mut cl = Cluster::new(2, 3);
        let (r0, r1) = (cl.replica(0), cl.replica(1));
        let given = SimTime::from_secs(1);
        cl.k.now = given;
        cl.answer_dns(0, false, r0);
        cl.answer_dns(1, false, r0);
        cl.answer_dns(2, false, r1);
        assert!(
            sent(&mut cl.k).is_empty(),
            "nothing was waiting for the answers"
        );
        let counts =
            |cl: &Cluster, at| [r0, r1, cl.writer()].map(|n| connections_to(&cl.a.clients, n, at));
        assert_eq!(counts(&cl, given), [2, 1, 0]);

        let expires = given + DNS_TTL;
        let just_before = SimTime::from_micros(expires.as_micros() - 1);
        assert_eq!(counts(&cl, just_before), [2, 1, 0]);
        cl.k.now = just_before;
        cl.request(0, false);
        let client = cl.client(0);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::Query {
                from: client,
                to: r0,
                req: 0,
                write: false
            }]
        );

        assert_eq!(counts(&cl, expires), [0, 0, 0]);
        cl.k.now = expires;
        cl.request(0, false);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::DnsQuery {
                from: client,
                to: cl.a.dns,
                write: false
            }]
        );
    }

    /// A replica is read-only: it refuses a write at once. Reads on a replica are served at
    /// its own read point, which trails VDL; reads on the writer at VDL itself.
    #[test]
    fn a_replica_refuses_writes_and_reads_at_its_read_point_while_the_writer_reads_at_vdl() {
        let mut cl = Cluster::new(1, 1);
        let (client, writer, replica) = (cl.client(0), cl.writer(), cl.replica(0));
        cl.c.instances[1].read_point = Lsn(60);

        cl.query(replica, 0, true);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::Answer {
                from: replica,
                to: client,
                req: 0,
                ok: false
            }]
        );
        assert!(cl.fenced.is_empty(), "a replica holds no write");

        // Once its CPU is free again (refusing took its turn on it), a read.
        cl.k.now = cl.c.instances[1].busy_until;
        cl.query(replica, 1, false);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::PageRead {
                from: replica,
                need: Lsn(60)
            }]
        );
        cl.query(writer, 2, false);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::PageRead {
                from: writer,
                need: VDL
            }]
        );
        assert_eq!((cl.c.instances[1].served, cl.metrics.reads), (2, 2));
    }

    /// An instance's CPU is a queue: a request that finds it busy is served when the queue
    /// reaches it, and one that would wait longer than the overload limit is refused at once.
    #[test]
    fn a_busy_instance_queues_a_request_behind_its_cpu_and_refuses_past_the_overload_limit() {
        let mut cl = Cluster::new(1, 1);
        let (client, replica) = (cl.client(0), cl.replica(0));
        let now = SimTime::from_secs(1);
        cl.k.now = now;
        let serves = |k: &mut Kernel| -> Vec<(SimTime, NodeId, NodeId, u64)> {
            queued(k)
                .into_iter()
                .filter_map(|(at, due)| match due {
                    Due::Serve {
                        node,
                        client,
                        req,
                        write: false,
                    } => Some((at, node, client, req)),
                    _ => None,
                })
                .collect()
        };

        cl.c.instances[1].busy_until = now + SimDuration::from_millis(3);
        cl.query(replica, 0, false);
        let busy = now + SimDuration::from_millis(3);
        assert_eq!(serves(&mut cl.k), [(busy, replica, client, 0)]);

        cl.c.instances[1].busy_until = now + OVERLOAD_QUEUE;
        cl.query(replica, 1, false);
        assert_eq!(
            serves(&mut cl.k),
            [(now + OVERLOAD_QUEUE, replica, client, 1)]
        );
        assert_eq!(cl.metrics.overloaded, 0);

        let past = now + OVERLOAD_QUEUE + SimDuration::from_micros(1);
        cl.c.instances[1].busy_until = past;
        cl.query(replica, 2, false);
        assert_eq!(
            sent(&mut cl.k),
            [Sent::Answer {
                from: replica,
                to: client,
                req: 2,
                ok: false
            }]
        );
        assert_eq!(cl.metrics.overloaded, 1);
        assert_eq!(cl.c.instances[1].busy_until, past, "a refusal costs no CPU");
    }

    /// Latency is what the client sees, from issuing the request to its answer, counted once.
    /// A request with no answer within the client timeout is an error, and its late answer
    /// changes nothing; a DNS question that never came back is asked again.
    #[test]
    fn an_answer_is_timed_from_its_request_and_a_request_unanswered_for_two_seconds_is_an_error() {
        let mut cl = Cluster::new(1, 1);
        let (client, replica, dns) = (cl.client(0), cl.replica(0), cl.a.dns);
        let start = SimTime::from_secs(1);
        cl.k.now = start;
        cl.answer_dns(0, false, replica);
        cl.request(0, false); // req 0: answered after 3 ms
        cl.k.now = start + SimDuration::from_millis(3);
        cl.answer(0, true);
        cl.answer(0, true);
        assert_eq!(cl.metrics.client_ok, 1, "a second answer is not counted");
        let latency = &cl.metrics.client_read_latency;
        assert_eq!((latency.count(), latency.max()), (1, 3_000));

        cl.request(0, false); // req 1: never answered
        cl.request(0, true); // req 2: its DNS question is lost
        cl.request(0, false); // req 3: refused
        cl.answer(3, false);
        assert_eq!(cl.metrics.client_errors, 1);
        let query = |req| Sent::Query {
            from: client,
            to: replica,
            req,
            write: false,
        };
        let ask_writer = Sent::DnsQuery {
            from: client,
            to: dns,
            write: true,
        };
        assert_eq!(sent(&mut cl.k), [query(0), query(1), ask_writer, query(3)]);

        cl.k.now = start + SimDuration::from_millis(3) + CLIENT_TIMEOUT;
        cl.tick();
        assert_eq!(cl.metrics.client_errors, 3, "reqs 1 and 2 timed out");
        assert_eq!(cl.a.clients.waiting(), (0, None));
        let ask_writer = Sent::DnsQuery {
            from: client,
            to: dns,
            write: true,
        };
        assert_eq!(sent(&mut cl.k), [ask_writer], "asked again");
        cl.answer(1, true);
        assert_eq!((cl.metrics.client_ok, cl.metrics.client_errors), (1, 3));
        // DNS answers at last: req 2 was given up as an error, so it is not sent now.
        let writer = cl.c.writer.node;
        cl.answer_dns(0, true, writer);
        assert_eq!(sent(&mut cl.k), [], "a request already failed is not sent");
    }
}
