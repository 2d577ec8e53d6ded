//! Endpoints and DNS (reference §4.2): clients connect by name, and DNS decides which instance a
//! name means. Answers are cached for the TTL, so after a failover a client keeps using the old
//! target until its cached answer expires.

use crate::compute::instance::Instance;
use crate::compute::instance::Role;
use crate::engine::Kernel;
use crate::ids::NodeId;
use crate::time::SimDuration;
use alloc::string::String;
use alloc::vec::Vec;

/// DNS time-to-live of Aurora's endpoint records. KC-DNS
pub const DNS_TTL: SimDuration = SimDuration::from_secs(5);
/// Custom endpoints per provisioned cluster. UG: Amazon Aurora connection management (2023)
pub const MAX_CUSTOM_ENDPOINTS: usize = 5;

pub use crate::ids::EndpointId;

/// A user-defined endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CustomEndpoint {
    pub name: String,
    pub members: Vec<NodeId>,
}

/// The DNS records of the cluster's endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Endpoints {
    /// The cluster endpoint's CNAME target: flipped to the new writer at the end of failover.
    pub cluster: NodeId,
    pub custom: Vec<CustomEndpoint>,
}

/// Instances a reader-type endpoint may hand out: replicas that are up.
fn available_replica(k: &Kernel, instances: &[Instance], node: NodeId) -> bool {
    k.topo.is_up(node)
        && instances
            .iter()
            .any(|i| i.node == node && i.role == Role::Replica)
}

/// What DNS answers for an endpoint right now. Reader-type endpoints draw at random among
/// available replicas (per connection, not per query: the client caches the answer).
pub(crate) fn resolve(
    k: &mut Kernel,
    endpoints: &Endpoints,
    instances: &[Instance],
    ep: EndpointId,
) -> NodeId {
    let cluster = endpoints.cluster;
    let pick = |k: &mut Kernel, nodes: &[NodeId]| -> Option<NodeId> {
        let up: Vec<NodeId> = nodes
            .iter()
            .copied()
            .filter(|&n| available_replica(k, instances, n) || (n == cluster && k.topo.is_up(n)))
            .collect();
        k.rng.pick(&up).copied()
    };
    match ep {
        EndpointId::Cluster => cluster,
        EndpointId::Reader => {
            let replicas: Vec<NodeId> = instances
                .iter()
                .filter(|i| available_replica(k, instances, i.node))
                .map(|i| i.node)
                .collect();
            k.rng.pick(&replicas).copied().unwrap_or(cluster)
        }
        EndpointId::Custom(i) => endpoints
            .custom
            .get(i as usize)
            .and_then(|c| pick(k, &c.members))
            .unwrap_or(cluster),
        EndpointId::Instance(n) => n,
    }
}
