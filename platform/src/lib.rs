//! The reference card-service platform: the API contract
//! (`docs/api/openapi.yaml`) made real, with state in SQLite, real HTTP and
//! real signatures, for development, tests and the demo.
//!
//! The real national and provincial platforms cannot be reached from a
//! developer machine; this one behaves like them where the client can tell:
//! real-name checks against a population register, device-signed requests,
//! idempotent mutations, the card workflows with per-region rules as data,
//! production and delivery on a clock that tests can advance, an issuer key
//! with rotation, trust and status lists, and the catalogue feeds.
//!
//! Run it with `ecard platform serve --db <file> --addr 127.0.0.1:PORT`, or
//! in process with [`RunningPlatform::start`].

use ecard_api::paths;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::{delete, get, post, put};

pub mod admin;
pub mod applications;
pub mod cards;
pub mod clock;
pub mod db;
pub mod delegations;
pub mod devices;
pub mod enrolment;
pub mod error;
pub mod face;
pub mod feeds;
pub mod http;
pub mod issuer;
pub mod limits;
pub mod people;
pub mod phone;
pub mod pin;
pub mod rules;
pub mod seed;
pub mod sms;
pub mod workflow;

/// The sample-data generator, lent to benchmarks that still reach it
/// through the platform (feature `sample-data`). The platform itself reads
/// only the generated files (`platform/data/*.json`).
#[cfg(feature = "sample-data")]
pub use ecard_sample_data as sample_data;

use http::{AppState, Ctx, Endpoint, Reply, handle};

/// How to run a platform.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    /// The SQLite file (`:memory:` for a throwaway platform).
    pub database: PathBuf,
    /// The bearer token of `/admin` endpoints.
    pub admin_token: String,
    /// The issuer name in the trust list.
    pub issuer_name: String,
}

impl PlatformConfig {
    /// A configuration with a random admin token.
    pub fn new(database: impl Into<PathBuf>) -> PlatformConfig {
        PlatformConfig {
            database: database.into(),
            admin_token: db::new_id("admin"),
            issuer_name: "CN-MOHRSS".to_owned(),
        }
    }
}

/// Why a platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// First-start seeding failed.
    #[error("seeding: {0}")]
    Seed(String),
    /// The address could not be bound.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

/// An opened platform, ready to serve.
#[derive(Clone)]
pub struct Platform {
    state: Arc<AppState>,
}

impl Platform {
    /// Opens (and on first start, seeds) the platform's database.
    pub fn open(config: &PlatformConfig) -> Result<Platform, PlatformError> {
        let mut connection = db::open(&config.database)?;
        let tx = connection.transaction()?;
        let now = clock::now(&tx)?;
        issuer::ensure_key(&tx, now)
            .map_err(|error| PlatformError::Seed(format!("{:?}", error.0)))?;
        seed::seed(&tx, now).map_err(|error| PlatformError::Seed(format!("{:?}", error.0)))?;
        face::SimulatedFacePlatform::ensure_key(&tx)
            .map_err(|error| PlatformError::Seed(format!("{:?}", error.0)))?;
        tx.commit()?;
        let platform = Platform {
            state: Arc::new(AppState {
                db: Mutex::new(connection),
                admin_token: config.admin_token.clone(),
                issuer_name: config.issuer_name.clone(),
                status_cache: Mutex::new(std::collections::HashMap::new()),
                clock_offset: std::sync::atomic::AtomicI64::new(0),
                face_verifier: Arc::new(face::TrustedFacePlatforms),
                sms: Arc::new(sms::SmsOutbox),
            }),
        };
        platform.state.remember_now(now);
        Ok(platform)
    }

    /// The HTTP routes.
    pub fn router(&self) -> Router {
        routes()
            .with_state(self.state.clone())
            .layer(axum::middleware::map_response_with_state(
                self.state.clone(),
                http::finish_response,
            ))
    }

    /// Serves on `listener` until `shutdown` completes.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The peer address feeds the per-source rate limits of identity
        // attempts. Behind a reverse proxy every request comes from the
        // proxy: deployments then limit by source at the proxy.
        axum::serve(
            listener,
            self.router()
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

type Shared = State<Arc<AppState>>;

macro_rules! endpoint {
    ($endpoint:expr, $work:path) => {
        |State(state): Shared, request: Request| async move {
            handle(state, request, $endpoint, |ctx: &mut Ctx<'_>| $work(ctx)).await
        }
    };
    ($endpoint:expr, $work:path, path) => {
        |State(state): Shared, id: Result<Path<String>, PathRejection>, request: Request| async move {
            match id {
                Ok(Path(id)) => {
                    handle(state, request, $endpoint, move |ctx: &mut Ctx<'_>| {
                        $work(ctx, &id)
                    })
                    .await
                }
                Err(rejection) => http::path_rejected(&rejection),
            }
        }
    };
}

fn routes() -> Router<Arc<AppState>> {
    use Endpoint as E;
    Router::new()
        .route(paths::TIME, get(endpoint!(E::PUBLIC_READ, feeds::time)))
        .route(
            paths::TRUST_LIST,
            get(endpoint!(E::PUBLIC_READ, feeds::trust_list)),
        )
        .route(
            paths::STATUS_LIST,
            get(endpoint!(E::PUBLIC_READ, feeds::status_list, path)),
        )
        .route(
            paths::CATALOGUE_ITEMS,
            get(endpoint!(E::PUBLIC_READ, feeds::items)),
        )
        .route(
            paths::CATALOGUE_OUTLETS,
            get(endpoint!(E::PUBLIC_READ, feeds::outlets)),
        )
        .route(
            paths::CATALOGUE_SYNC,
            get(endpoint!(E::PUBLIC_READ, feeds::sync)),
        )
        .route(
            paths::RULES,
            get(endpoint!(E::PUBLIC_READ, rules::get, path)),
        )
        .route(
            paths::ENROLMENTS,
            post(endpoint!(
                E {
                    access: http::Access::Public,
                    idempotent: true
                },
                enrolment::start
            )),
        )
        .route(
            paths::ENROLMENT_PRESENCE,
            post(endpoint!(E::ENROLLING, enrolment::presence, path)),
        )
        .route(
            paths::ENROLMENT_COMPLETION,
            post(endpoint!(E::ENROLLING, enrolment::complete, path)),
        )
        .route(
            paths::MY_DEVICES,
            get(endpoint!(E::DEVICE_READ, devices::list)),
        )
        .route(
            paths::DEVICE_UNLINK,
            post(endpoint!(E::DEVICE_WRITE, devices::unlink, path)),
        )
        .route(
            paths::MY_NOTICES,
            get(endpoint!(E::DEVICE_READ, devices::notices)),
        )
        .route(
            paths::ENROLMENT_REQUESTS,
            get(endpoint!(E::DEVICE_READ, devices::enrolment_requests)),
        )
        .route(
            paths::ENROLMENT_REQUEST_APPROVAL,
            post(endpoint!(E::DEVICE_WRITE, devices::approve, path)),
        )
        .route(paths::PIN, post(endpoint!(E::DEVICE_WRITE, pin::change)))
        .route(
            paths::PIN_GRANTS,
            post(endpoint!(E::DEVICE_WRITE, pin::grant)),
        )
        .route(
            paths::PIN_RESET,
            post(endpoint!(E::DEVICE_WRITE, pin::reset)),
        )
        .route(
            paths::FACE_CHALLENGES,
            post(endpoint!(E::DEVICE_WRITE, phone::face_challenge)),
        )
        .route(
            paths::PHONE_CHANGES,
            post(endpoint!(E::DEVICE_WRITE, phone::start)),
        )
        .route(
            paths::PHONE_CHANGE_CONFIRMATION,
            post(endpoint!(E::DEVICE_WRITE, phone::confirm, path)),
        )
        .route(paths::ME, get(endpoint!(E::DEVICE_READ, people::profile)))
        .route(
            paths::ACCOUNT_DELETION,
            post(endpoint!(E::DEVICE_WRITE, people::delete_account)),
        )
        .route(
            paths::CREDENTIALS,
            post(endpoint!(E::DEVICE_WRITE, cards::credentials)),
        )
        .route(
            paths::APPLICATIONS,
            post(endpoint!(E::DEVICE_WRITE, applications::submit_new))
                .get(endpoint!(E::DEVICE_READ, applications::list)),
        )
        .route(
            paths::APPLICATION,
            get(endpoint!(E::DEVICE_READ, applications::get, path)),
        )
        .route(
            paths::APPLICATION_PAYMENT,
            post(endpoint!(E::DEVICE_WRITE, applications::pay, path)),
        )
        .route(
            paths::APPLICATION_CANCEL,
            post(endpoint!(E::DEVICE_WRITE, applications::cancel, path)),
        )
        .route(
            paths::APPLICATION_RECEIPT,
            post(endpoint!(
                E::DEVICE_WRITE,
                applications::confirm_receipt,
                path
            )),
        )
        .route(
            paths::APPLICATION_PHOTO,
            post(endpoint!(
                E::DEVICE_WRITE,
                applications::resubmit_photo,
                path
            )),
        )
        .route(
            paths::REPLACEMENTS,
            post(endpoint!(E::DEVICE_WRITE, applications::submit_replacement)),
        )
        .route(
            paths::LOSS_REPORTS,
            post(endpoint!(E::DEVICE_WRITE, cards::report_loss, path)),
        )
        .route(
            paths::LOSS_RELEASE,
            post(endpoint!(E::DEVICE_WRITE, cards::release_loss, path)),
        )
        .route(
            paths::ACTIVATION,
            post(endpoint!(E::DEVICE_WRITE, cards::activate, path)),
        )
        .route(
            paths::DELEGATIONS,
            post(endpoint!(E::DEVICE_WRITE, delegations::create))
                .get(endpoint!(E::DEVICE_READ, delegations::list)),
        )
        .route(
            paths::DELEGATION_CONSENT,
            post(endpoint!(E::DEVICE_WRITE, delegations::consent, path)),
        )
        .route(
            paths::DELEGATION_FACE_CHALLENGE,
            post(endpoint!(
                E::DEVICE_WRITE,
                delegations::face_challenge,
                path
            )),
        )
        .route(
            paths::DELEGATION_FACE_CONSENT,
            post(endpoint!(E::DEVICE_WRITE, delegations::face_consent, path)),
        )
        .route(
            paths::DELEGATION_REVOKE,
            post(endpoint!(E::DEVICE_WRITE, delegations::revoke, path)),
        )
        .route(
            paths::AUDIT,
            get(endpoint!(E::DEVICE_READ, delegations::audit_trail)),
        )
        .route(
            paths::ADMIN_CLOCK_ADVANCE,
            post(endpoint!(E::ADMIN, admin::advance_clock)),
        )
        .route(
            paths::ADMIN_PEOPLE,
            post(endpoint!(E::ADMIN, admin::add_person)),
        )
        .route(
            paths::ADMIN_PERSON_PHONE,
            post(endpoint!(E::ADMIN, phone::counter_change, path)),
        )
        .route(
            paths::ADMIN_SMS,
            get(endpoint!(E::ADMIN, admin::sms_outbox)),
        )
        .route(
            paths::ADMIN_FACE_RESULTS,
            post(endpoint!(E::ADMIN, admin::mint_face_result)),
        )
        .route(
            paths::ADMIN_PERSON_CARDS,
            post(endpoint!(E::ADMIN, admin::add_card, path)),
        )
        .route(
            paths::ADMIN_PERSONAS,
            get(endpoint!(E::ADMIN, admin::personas)),
        )
        .route(
            paths::ADMIN_ISSUER_ROTATE,
            post(endpoint!(E::ADMIN, admin::rotate_key)),
        )
        .route(
            paths::ADMIN_BANK_ACCOUNT_CLOSED,
            post(endpoint!(E::ADMIN, admin::bank_account_closed, path)),
        )
        .route(
            paths::ADMIN_CARD_RELEASE,
            post(endpoint!(E::ADMIN, admin::counter_release, path)),
        )
        .route(
            paths::ADMIN_PRODUCTION_FAILED,
            post(endpoint!(E::ADMIN, admin::fail_production, path)),
        )
        .route(
            paths::ADMIN_COUNTER_CONSENT,
            post(endpoint!(E::ADMIN, admin::counter_consent, path)),
        )
        .route(
            paths::ADMIN_CATALOGUE_ITEMS,
            put(endpoint!(E::ADMIN, admin::put_items)),
        )
        .route(
            paths::ADMIN_CATALOGUE_ITEM,
            delete(endpoint!(E::ADMIN, admin::delete_item, path)),
        )
        .route(
            paths::ADMIN_OUTLETS,
            put(endpoint!(E::ADMIN, admin::put_outlets)),
        )
        .route(
            paths::ADMIN_OUTLET,
            delete(endpoint!(E::ADMIN, admin::delete_outlet, path)),
        )
        .route(
            paths::ADMIN_RULES,
            put(endpoint!(E::ADMIN, admin::put_rules)),
        )
        .fallback(|| async { error::ApiError::not_found("endpoint").into_response_() })
}

impl error::ApiError {
    fn into_response_(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}

/// A platform serving on loopback from its own thread and runtime, for
/// tests, the demo and embedding. Dropping it stops the server.
pub struct RunningPlatform {
    address: SocketAddr,
    admin_token: String,
    platform: Platform,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningPlatform {
    /// Opens the platform and serves it on `127.0.0.1` at a free port.
    pub fn start(config: &PlatformConfig) -> Result<RunningPlatform, PlatformError> {
        RunningPlatform::start_at(config, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Opens the platform and serves it at `address`.
    pub fn start_at(
        config: &PlatformConfig,
        address: SocketAddr,
    ) -> Result<RunningPlatform, PlatformError> {
        let platform = Platform::open(config)?;
        let listener = std::net::TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = platform.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("ecard-platform".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let _ = serving
                        .serve(listener, async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })?;
        Ok(RunningPlatform {
            address,
            admin_token: config.admin_token.clone(),
            platform,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The socket address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The admin bearer token.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The platform behind the server.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningPlatform {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Replies share this type; re-exported for handlers in tests.
pub type HandlerReply = Reply;
