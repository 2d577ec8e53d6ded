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
use crate::event::MsgKind;
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
    k.send(
        from,
        dns,
        MsgKind::DnsLookup,
        64,
        Payload::DnsQuery { write },
    );
}

fn send_query(k: &mut Kernel, a: &Access, i: usize, target: NodeId, req: u64, write: bool) {
    let from = a.clients.clients[i].node;
    k.send(
        from,
        target,
        MsgKind::Query,
        REQUEST_BYTES,
        Payload::Query { req, write },
    );
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
    k.send(
        a.dns,
        client,
        MsgKind::DnsAnswer,
        64,
        Payload::DnsAnswer { write, target },
    );
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
    let waiting: Vec<u64> = cl.waiting[e].drain(..).collect();
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
