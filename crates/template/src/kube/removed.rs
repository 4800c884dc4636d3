//! APIs Kubernetes stopped serving before the oldest bundled version
//! (1.25), with what replaced them, from Kubernetes' deprecated API
//! migration guide. APIs removed later need no table: the bundle itself
//! says which versions serve them, and what the chosen version serves
//! for the same kind.

/// One removed API: `api_version` `kind` was last served by `last`
/// (a minor version); `replacement` is the apiVersion to use instead
/// (`None`: nothing replaces it).
pub struct Removed {
    /// apiVersion as written in manifests.
    pub api_version: &'static str,
    /// The kind.
    pub kind: &'static str,
    /// The last minor version that served it (`1.24` means removed in 1.25).
    pub last: (u32, u32),
    /// What to use instead, or a short note when nothing replaces it.
    pub replacement: Replacement,
}

/// What replaced a removed API.
pub(crate) enum Replacement {
    /// This apiVersion serves the same kind.
    Api(&'static str),
    /// Nothing does; the note says what to do instead.
    Nothing(&'static str),
}

macro_rules! removed {
    ($($api:literal $kind:literal $last:literal => $repl:expr;)*) => {
        &[$(Removed {
            api_version: $api,
            kind: $kind,
            last: (1, $last),
            replacement: $repl,
        }),*]
    };
}

use Replacement::{Api, Nothing};

/// The table. Removed in 1.16 (last 1.15), 1.22 (last 1.21) and 1.25 (last 1.24).
pub(crate) const REMOVED: &[Removed] = removed! {
    "extensions/v1beta1" "DaemonSet" 15 => Api("apps/v1");
    "extensions/v1beta1" "Deployment" 15 => Api("apps/v1");
    "extensions/v1beta1" "ReplicaSet" 15 => Api("apps/v1");
    "extensions/v1beta1" "NetworkPolicy" 15 => Api("networking.k8s.io/v1");
    "extensions/v1beta1" "PodSecurityPolicy" 15 => Nothing("PodSecurityPolicy was removed in 1.25; use Pod Security Admission");
    "apps/v1beta1" "Deployment" 15 => Api("apps/v1");
    "apps/v1beta1" "StatefulSet" 15 => Api("apps/v1");
    "apps/v1beta1" "ReplicaSet" 15 => Api("apps/v1");
    "apps/v1beta2" "DaemonSet" 15 => Api("apps/v1");
    "apps/v1beta2" "Deployment" 15 => Api("apps/v1");
    "apps/v1beta2" "StatefulSet" 15 => Api("apps/v1");
    "apps/v1beta2" "ReplicaSet" 15 => Api("apps/v1");
    "admissionregistration.k8s.io/v1beta1" "MutatingWebhookConfiguration" 21 => Api("admissionregistration.k8s.io/v1");
    "admissionregistration.k8s.io/v1beta1" "ValidatingWebhookConfiguration" 21 => Api("admissionregistration.k8s.io/v1");
    "apiextensions.k8s.io/v1beta1" "CustomResourceDefinition" 21 => Api("apiextensions.k8s.io/v1");
    "apiregistration.k8s.io/v1beta1" "APIService" 21 => Api("apiregistration.k8s.io/v1");
    "authentication.k8s.io/v1beta1" "TokenReview" 21 => Api("authentication.k8s.io/v1");
    "authorization.k8s.io/v1beta1" "SubjectAccessReview" 21 => Api("authorization.k8s.io/v1");
    "authorization.k8s.io/v1beta1" "LocalSubjectAccessReview" 21 => Api("authorization.k8s.io/v1");
    "authorization.k8s.io/v1beta1" "SelfSubjectAccessReview" 21 => Api("authorization.k8s.io/v1");
    "certificates.k8s.io/v1beta1" "CertificateSigningRequest" 21 => Api("certificates.k8s.io/v1");
    "coordination.k8s.io/v1beta1" "Lease" 21 => Api("coordination.k8s.io/v1");
    "extensions/v1beta1" "Ingress" 21 => Api("networking.k8s.io/v1");
    "networking.k8s.io/v1beta1" "Ingress" 21 => Api("networking.k8s.io/v1");
    "networking.k8s.io/v1beta1" "IngressClass" 21 => Api("networking.k8s.io/v1");
    "rbac.authorization.k8s.io/v1beta1" "ClusterRole" 21 => Api("rbac.authorization.k8s.io/v1");
    "rbac.authorization.k8s.io/v1beta1" "ClusterRoleBinding" 21 => Api("rbac.authorization.k8s.io/v1");
    "rbac.authorization.k8s.io/v1beta1" "Role" 21 => Api("rbac.authorization.k8s.io/v1");
    "rbac.authorization.k8s.io/v1beta1" "RoleBinding" 21 => Api("rbac.authorization.k8s.io/v1");
    "scheduling.k8s.io/v1beta1" "PriorityClass" 21 => Api("scheduling.k8s.io/v1");
    "storage.k8s.io/v1beta1" "CSIDriver" 21 => Api("storage.k8s.io/v1");
    "storage.k8s.io/v1beta1" "CSINode" 21 => Api("storage.k8s.io/v1");
    "storage.k8s.io/v1beta1" "StorageClass" 21 => Api("storage.k8s.io/v1");
    "storage.k8s.io/v1beta1" "VolumeAttachment" 21 => Api("storage.k8s.io/v1");
    "batch/v1beta1" "CronJob" 24 => Api("batch/v1");
    "discovery.k8s.io/v1beta1" "EndpointSlice" 24 => Api("discovery.k8s.io/v1");
    "events.k8s.io/v1beta1" "Event" 24 => Api("events.k8s.io/v1");
    "autoscaling/v2beta1" "HorizontalPodAutoscaler" 24 => Api("autoscaling/v2");
    "policy/v1beta1" "PodDisruptionBudget" 24 => Api("policy/v1");
    "policy/v1beta1" "PodSecurityPolicy" 24 => Nothing("PodSecurityPolicy was removed in 1.25; use Pod Security Admission");
    "node.k8s.io/v1beta1" "RuntimeClass" 24 => Api("node.k8s.io/v1");
};

/// The table's entry for `api_version` `kind`.
pub fn find(api_version: &str, kind: &str) -> Option<&'static Removed> {
    REMOVED
        .iter()
        .find(|r| r.api_version == api_version && r.kind == kind)
}

/// Whether `group` appears in the table (so it is a Kubernetes group).
pub(crate) fn knows_group(group: &str) -> bool {
    REMOVED
        .iter()
        .any(|r| super::group_of(r.api_version) == group)
}
