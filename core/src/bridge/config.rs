//! The one configuration both bindings open a client with, and its
//! defaults.
//!
//! Why one: the two bindings used to take different settings (only ArkTS
//! could bound key-store calls, only Kotlin and Swift could set the request
//! timeout or a storage cap) with defaults written in each. Here every
//! setting has one default, from [`ClientConfig::new`] plus the key-store
//! bound; a binding passes what the app set and this fills in the rest.

use std::time::Duration;

use ecard_credential::{Locale, Suite};
use serde::Deserialize;

use super::keystore::DEFAULT_KEY_STORE_TIMEOUT;
use crate::client::ClientConfig;
use crate::storage::cipher::FieldCipherSuite;

/// How to open a client, as the apps give it.
#[derive(Clone, Debug, PartialEq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BindingConfig {
    /// Directory for the database and key files (created if missing).
    pub data_dir: String,
    /// The platform, `https://…` (or `http://` on loopback).
    pub platform_url: String,
    /// Language of messages and labels (a BCP 47 tag: `zh-CN`, `en`, …).
    #[serde(default, deserialize_with = "locale_tag")]
    pub locale: Option<Locale>,
    /// A name for this device the resident recognises.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Region whose catalogue and rules to sync before enrolment.
    #[serde(default)]
    pub default_region: Option<String>,
    /// Suite of the device key.
    #[serde(default)]
    pub device_suite: Option<Suite>,
    /// Longest wait for one platform answer, in seconds (at least one).
    #[serde(default)]
    pub request_timeout_seconds: Option<f64>,
    /// Most bytes the local database may grow to.
    #[serde(default)]
    pub storage_limit_bytes: Option<u64>,
    /// Longest wait for one key-store answer, in seconds.
    #[serde(default)]
    pub key_store_timeout_seconds: Option<f64>,
    /// The cipher that seals personal data at rest (`aes-256-gcm`, the
    /// default, or `sm4-gcm`): a deployment's choice, recorded in the
    /// database at its first open; a database sealed with the other one is
    /// refused (`field_cipher_mismatch`).
    #[serde(default)]
    pub field_cipher: Option<FieldCipherSuite>,
}

fn locale_tag<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Locale>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(|tag| Locale::from_tag(&tag)))
}

/// Seconds as a duration when they are a positive, finite number.
fn positive_seconds(seconds: Option<f64>) -> Option<Duration> {
    seconds
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
}

impl BindingConfig {
    /// Only the two settings without a default; everything else default.
    pub fn new(data_dir: impl Into<String>, platform_url: impl Into<String>) -> BindingConfig {
        BindingConfig {
            data_dir: data_dir.into(),
            platform_url: platform_url.into(),
            locale: None,
            device_name: None,
            default_region: None,
            device_suite: None,
            request_timeout_seconds: None,
            storage_limit_bytes: None,
            key_store_timeout_seconds: None,
            field_cipher: None,
        }
    }

    /// The defaults written out (what [`BindingConfig::client_config`] and
    /// [`BindingConfig::key_store_timeout`] use when a setting is absent).
    pub fn with_defaults(mut self) -> BindingConfig {
        let client = self.client_config();
        self.locale = Some(client.locale);
        self.device_name = Some(client.device_name);
        self.default_region = Some(client.default_region);
        self.device_suite = Some(client.device_suite);
        self.request_timeout_seconds = Some(client.request_timeout.as_secs_f64());
        self.key_store_timeout_seconds = Some(self.key_store_timeout().as_secs_f64());
        self.field_cipher = Some(client.field_cipher);
        self
    }

    /// The language of messages.
    pub fn locale(&self) -> Locale {
        self.locale.unwrap_or_default()
    }

    /// The core's configuration.
    pub fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new(self.data_dir.clone(), self.platform_url.clone());
        config.locale = self.locale();
        if let Some(name) = &self.device_name {
            config.device_name = name.clone();
        }
        if let Some(region) = &self.default_region {
            config.default_region = region.clone();
        }
        if let Some(suite) = self.device_suite {
            config.device_suite = suite;
        }
        if let Some(timeout) = positive_seconds(self.request_timeout_seconds) {
            config.request_timeout = timeout.max(Duration::from_secs(1));
        }
        config.storage_limit_bytes = self.storage_limit_bytes;
        if let Some(cipher) = self.field_cipher {
            config.field_cipher = cipher;
        }
        config
    }

    /// The suite of the device key: the one the client asks the key store
    /// to make, and the one the adapters read its public key as.
    pub fn device_suite(&self) -> Suite {
        self.client_config().device_suite
    }

    /// How long one key-store call may take.
    pub fn key_store_timeout(&self) -> Duration {
        positive_seconds(self.key_store_timeout_seconds).unwrap_or(DEFAULT_KEY_STORE_TIMEOUT)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn absent_settings_take_the_cores_defaults() {
        let config = BindingConfig::new("/tmp/x", "http://127.0.0.1:1").with_defaults();
        assert_eq!(config.locale, Some(Locale::ZhCn));
        assert_eq!(config.device_suite, Some(Suite::EcdsaP256));
        assert_eq!(config.default_region.as_deref(), Some("360000"));
        assert_eq!(config.key_store_timeout_seconds, Some(120.0));
        assert_eq!(config.request_timeout_seconds, Some(20.0));
        assert_eq!(config.field_cipher, Some(FieldCipherSuite::Aes256Gcm));
    }

    #[test]
    fn javascript_settings_are_read_loosely_but_unknown_ones_refused() {
        let config: BindingConfig = serde_json::from_value(serde_json::json!({
            "dataDir": "/d", "platformUrl": "http://x", "locale": "en-GB",
            "keyStoreTimeoutSeconds": 0.25, "deviceSuite": "ed25519",
            "fieldCipher": "sm4-gcm",
        }))
        .unwrap();
        assert_eq!(
            config.client_config().field_cipher,
            FieldCipherSuite::Sm4Gcm
        );
        assert_eq!(config.locale(), Locale::En);
        assert_eq!(config.key_store_timeout(), Duration::from_millis(250));
        assert_eq!(config.client_config().device_suite, Suite::Ed25519);
        let wrong = serde_json::from_value::<BindingConfig>(serde_json::json!({
            "dataDir": "/d", "platformUrl": "http://x", "colour": "red",
        }));
        assert!(wrong.is_err());
        let unknown_cipher = serde_json::from_value::<BindingConfig>(serde_json::json!({
            "dataDir": "/d", "platformUrl": "http://x", "fieldCipher": "sm4",
        }));
        assert!(unknown_cipher.is_err());
        let negative = BindingConfig {
            key_store_timeout_seconds: Some(-1.0),
            ..BindingConfig::new("/d", "http://x")
        };
        assert_eq!(negative.key_store_timeout(), DEFAULT_KEY_STORE_TIMEOUT);
    }
}
