//! Endpoints of the account: `GET /v1/me` (the holder in full, and each
//! person they act for as far as their mandates disclose) and
//! `POST /v1/me/deletion`.

use crate::store::sql::Transaction;
use ecard_api::resident::{PersonSummary, Profile};

use crate::domain::access::{Disclosure, disclosure_for};
use crate::domain::delegations::active_principals_of;
use crate::domain::rules::province_of;
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::rows::{Person, cards_of, person};

/// `POST /v1/me/deletion`: the resident deletes their account (PIPL right
/// of deletion). Every device of the account is revoked and with it every
/// credential they hold, mandates the account holds for others end, and the
/// contact phone is cleared. Cards, applications and the audit log stay, as
/// the card rules keep them; the person may enrol again later.
pub fn delete_account(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    crate::http::pin::require(ctx, ecard_api::identity::PinAction::DeleteAccount)?;
    let deletion = crate::domain::accounts::delete(ctx.tx, &caller.account_id, ctx.now)?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        "account.delete",
        &caller.account_id,
    )?;
    Reply::ok(&deletion)
}

fn summary(
    tx: &Transaction<'_>,
    person: &Person,
    disclosure: Disclosure,
) -> ApiResult<PersonSummary> {
    Ok(PersonSummary {
        person_id: person.person_id.clone(),
        name_masked: ecard_documents::mask_name(&person.name),
        id_number_masked: disclosure
            .identity
            .then(|| ecard_documents::mask(&person.id_number)),
        birth_date: disclosure.identity.then_some(person.birth_date),
        cards: cards_of(tx, &person.person_id)?
            .iter()
            .map(|card| card.view(disclosure))
            .collect(),
    })
}

/// `GET /v1/me`: the account holder in full, and each person they act for
/// as far as the scopes of their mandates disclose.
pub fn profile(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let me = person(ctx.tx, &caller.person_id)?;
    let principal_ids = active_principals_of(ctx.tx, &caller.account_id, ctx.now)?;
    let principals = principal_ids
        .iter()
        .map(|person_id| {
            let principal = person(ctx.tx, person_id)?;
            let disclosure = disclosure_for(ctx.tx, &caller, person_id, ctx.now)?;
            summary(ctx.tx, &principal, disclosure)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Reply::ok(&Profile {
        account_id: caller.account_id.clone(),
        person: summary(ctx.tx, &me, Disclosure::HOLDER)?,
        principals,
        region: province_of(&me.region),
    })
}
