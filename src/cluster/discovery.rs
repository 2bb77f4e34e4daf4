//! API discovery, one request per group/version and cached for the command:
//! a chart of Services and Deployments costs two requests (`/api/v1`,
//! `/apis/apps/v1`), fewer than helm's full discovery.

use kube::discovery::ApiResource;

use super::client::{ClusterError, KubeCluster};

/// `(kind, plural, namespaced)` of every top-level resource of one group/version.
pub type GroupVersionResources = Vec<(String, String, bool)>;

/// How to address a kind: its API path pieces and whether it lives in a namespace.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub resource: ApiResource,
    pub namespaced: bool,
}

fn no_match(api_version: &str, kind: &str, served: bool) -> ClusterError {
    ClusterError::NoMatch {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        served,
    }
}

impl KubeCluster {
    fn group_version(&self, api_version: &str) -> Result<GroupVersionResources, ClusterError> {
        if let Some(found) = self.discovery.borrow().get(api_version) {
            return Ok(found.clone());
        }
        let client = self.client();
        let list = self.block_on(async {
            if api_version.contains('/') {
                client.list_api_group_resources(api_version).await
            } else {
                client.list_core_api_resources(api_version).await
            }
        });
        let list = match list {
            Ok(l) => l
                .resources
                .into_iter()
                .filter(|r| !r.name.contains('/'))
                .map(|r| (r.kind, r.name, r.namespaced))
                .collect(),
            Err(e) if ClusterError::is_not_found_kube(&e) => Vec::new(),
            Err(e) => return Err(ClusterError::from_kube(e)),
        };
        self.discovery
            .borrow_mut()
            .insert(api_version.to_string(), list.clone());
        Ok(list)
    }

    /// Maps `apiVersion` + `kind` onto a resource, as a RESTMapper does.
    pub fn mapping(&self, api_version: &str, kind: &str) -> Result<Mapping, ClusterError> {
        let resources = self.group_version(api_version)?;
        let served = !resources.is_empty();
        let (kind, plural, namespaced) = resources
            .into_iter()
            .find(|(k, _, _)| k == kind)
            .ok_or_else(|| no_match(api_version, kind, served))?;
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Ok(Mapping {
            resource: ApiResource {
                group,
                version,
                api_version: api_version.to_string(),
                kind,
                plural,
            },
            namespaced,
        })
    }

    /// Forgets cached discovery (after CRDs were installed).
    pub fn invalidate_discovery(&self) {
        self.discovery.borrow_mut().clear();
    }
}
