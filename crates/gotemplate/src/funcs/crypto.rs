//! Sprig's cryptographic functions. Certificates and keys are not built
//! yet: they fail with a clear message.

use super::{func, Arity::*};
use crate::Func;

pub(super) fn register(v: &mut Vec<(&'static str, Func)>) {
    for name in [
        "genPrivateKey",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "buildCustomCert",
        "encryptAES",
        "decryptAES",
        "bcrypt",
        "htpasswd",
        "derivePassword",
    ] {
        v.push(func(name, AtLeast(0), |_| {
            Err("not supported by strata yet".into())
        }));
    }
}
