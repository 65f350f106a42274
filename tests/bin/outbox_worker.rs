//! A resident app in a child process, for the kill-and-restart test: for
//! each person in a list it opens a client (its own data directory), enrols
//! if needed, submits one card application — unless its outbox already
//! holds one, exactly as an app that was killed would find it on restart —
//! and sends what is pending. The parent kills it with SIGKILL at random
//! moments and runs it again until it finishes.
//!
//! Usage: `outbox-worker <platform url> <data root> <people.json>`, where
//! people.json is an array of `{"id_number": …, "name": …}`.
#![allow(clippy::print_stdout, reason = "progress lines for the parent test")]

use std::path::PathBuf;
use std::process::ExitCode;

use ecard_api::resident::{Delivery, PersonIdentity};
use ecard_core::{NewCardForm, OutboxState};

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().collect();
    let [_, url, root, people] = arguments.as_slice() else {
        eprintln!("usage: outbox-worker <platform url> <data root> <people.json>");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(url, PathBuf::from(root), PathBuf::from(people))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("outbox-worker: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(url: &str, root: PathBuf, people: PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(&people).map_err(|error| error.to_string())?;
    let people: Vec<serde_json::Value> =
        serde_json::from_str(&text).map_err(|error| error.to_string())?;
    for (index, person) in people.iter().enumerate() {
        let data = root.join(format!("app-{index:03}"));
        let key_store = std::sync::Arc::new(
            ecard_core::FileKeyStore::open(data.join("keys")).map_err(|error| error.to_string())?,
        );
        let client =
            ecard_core::EcardClient::open(ecard_core::ClientConfig::new(&data, url), key_store)
                .await
                .map_err(|error| error.to_string())?;
        if client.session().is_none() {
            let identity = PersonIdentity {
                id_type: "resident_id".into(),
                id_number: person["id_number"].as_str().unwrap_or_default().into(),
                name: person["name"].as_str().unwrap_or_default().into(),
            };
            ecard_e2e::enrol(&client, url, identity)
                .await
                .map_err(|error| error.to_string())?;
        }
        if client.rules().map_err(|error| error.to_string())?.is_none() {
            client
                .sync_catalogue()
                .await
                .map_err(|error| error.to_string())?;
        }
        let queued = client.outbox().map_err(|error| error.to_string())?;
        if !queued
            .iter()
            .any(|entry| entry.action == "application.submit")
        {
            let form = NewCardForm {
                person_id: None,
                photo_jpeg: ecard_e2e::test_photo(),
                bank: "icbc".into(),
                phone: "13800138000".into(),
                delivery: Delivery::Pickup {
                    outlet_id: "O-00001".into(),
                },
                instant_issue: false,
            };
            client
                .submit_application(form, None)
                .await
                .map_err(|error| error.to_string())?;
        }
        for entry in client.outbox().map_err(|error| error.to_string())? {
            if entry.state == OutboxState::Pending {
                let sent = client
                    .retry_submission(entry.id)
                    .await
                    .map_err(|error| error.to_string())?;
                if sent.state != OutboxState::Done {
                    return Err(format!("submission {} not confirmed", entry.id));
                }
            }
        }
        println!("done {index}");
    }
    Ok(())
}
