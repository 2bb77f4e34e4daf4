//! The `configmap` driver: one ConfigMap per revision, `data.release` = the
//! encoded record as text.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::object_driver::{ObjectDriver, RecordObject};

pub type ConfigMapDriver = ObjectDriver<ConfigMap>;

impl RecordObject for ConfigMap {
    const DRIVER_NAME: &'static str = "ConfigMap";

    fn record(&self) -> String {
        self.data
            .as_ref()
            .and_then(|d| d.get("release"))
            .cloned()
            .unwrap_or_default()
    }

    fn set_record(&mut self, encoded: String) {
        self.data = Some(BTreeMap::from([("release".to_string(), encoded)]));
    }
}
