//! 出生一件事 from a parent's phone: one form (the birth medical
//! certificate's facts, the household, the card) sent through the outbox,
//! and one progress line from the form to the card in hand. The platform
//! checks the form against the hospital's report and registers the child;
//! here the form is checked against the cached rules first, so a form the
//! region cannot take is refused before it is queued.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::paths;
use ecard_api::resident::{Birth, BirthRequest, BirthStep, Delivery, PersonIdentity, Sex};
use ecard_credential::Locale;
use serde::{Deserialize, Serialize};

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::net::{ApiRequest, RetryPolicy};
use crate::workflows::{Submission, check_bank, check_delivery, invalid, not_allowed};

/// The one form of 出生一件事.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthForm {
    /// 出生医学证明 number.
    pub birth_certificate: String,
    /// The child's name, as on the certificate.
    pub child_name: String,
    /// The child's sex, as on the certificate.
    pub sex: Sex,
    /// The birth date, `YYYY-MM-DD`, as on the certificate.
    pub birth_date: String,
    /// The other parent, when in the population register.
    pub other_parent: Option<PersonIdentity>,
    /// 户籍登记地: the county-level division code.
    pub household_region: String,
    /// The household's address.
    pub household_address: String,
    /// Co-branded bank of the child's card.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// How the card reaches the family.
    pub delivery: Delivery,
    /// Card photo (JPEG); not needed where the rules exempt newborns.
    pub photo_jpeg: Option<Vec<u8>>,
}

/// A step of the progress line with its label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BirthStage {
    /// The step.
    pub step: BirthStep,
    /// Its label in the chosen language.
    pub label: String,
    /// When it was reached (`None`: ahead).
    pub at: Option<u64>,
}

/// A birth as the app shows it: the platform's record and one progress line
/// across household registration and the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BirthFlow {
    /// The platform's record.
    pub birth: Birth,
    /// Every step, reached or ahead, labelled.
    pub stages: Vec<BirthStage>,
}

/// A step's label in a language.
pub fn birth_step_label(step: BirthStep, locale: Locale) -> &'static str {
    match step {
        BirthStep::Submitted => locale.pick("已提交", "Submitted"),
        BirthStep::HouseholdRegistered => locale.pick("户口已登记", "Household registered"),
        BirthStep::CardInProduction => locale.pick("社保卡制作中", "Card being made"),
        BirthStep::CardOnItsWay => locale.pick("社保卡已寄出或待领取", "Card on its way"),
        BirthStep::CardReceived => locale.pick("已领卡", "Card received"),
    }
}

/// The flow of a birth record.
pub fn birth_flow(birth: Birth, locale: Locale) -> BirthFlow {
    let stages = birth
        .progress
        .iter()
        .map(|entry| BirthStage {
            step: entry.step,
            label: birth_step_label(entry.step, locale).to_owned(),
            at: entry.at,
        })
        .collect();
    BirthFlow { birth, stages }
}

/// 出生一件事 of the client.
impl EcardClient {
    /// Files the one form of 出生一件事 (the parent's own account; the
    /// platform checks the certificate names them). Checked locally against
    /// the cached rules first, then sent through the outbox.
    pub async fn register_birth(&self, form: BirthForm) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        if !rules.newborn.one_submission {
            return Err(not_allowed(
                "this region takes the birth registration first, then the card application",
            ));
        }
        let today = self.china_today()?;
        let born = ecard_documents::Date::parse(form.birth_date.trim())
            .filter(|date| *date <= today)
            .ok_or_else(|| ClientError::InvalidChoice {
                field: "birth_date".into(),
                reason: "the birth date as on the certificate, YYYY-MM-DD".into(),
            })?;
        if form.child_name.trim().is_empty() {
            return Err(ClientError::InvalidChoice {
                field: "child_name".into(),
                reason: "the child's name as on the certificate".into(),
            });
        }
        ecard_documents::validate_address(&form.household_address)
            .map_err(|error| invalid("household_address", error))?;
        ecard_documents::validate_phone(&form.phone).map_err(|error| invalid("phone", error))?;
        check_bank(&form.bank, &rules)?;
        check_delivery(&form.delivery)?;
        let exempt = born
            .age_on(today)
            .is_some_and(|age| age < rules.newborn.photo_exempt_under_age);
        match &form.photo_jpeg {
            Some(photo) => {
                ecard_documents::validate_photo(photo, &(&rules.photo).into())
                    .map_err(|error| invalid("photo", error))?;
            }
            None if exempt => {}
            None => {
                return Err(ClientError::InvalidChoice {
                    field: "photo".into(),
                    reason: "this region needs a photo for the child's card".into(),
                });
            }
        }
        let body = BirthRequest {
            birth_certificate: form.birth_certificate.trim().to_ascii_uppercase(),
            child_name: form.child_name.trim().to_owned(),
            sex: form.sex,
            birth_date: form.birth_date.trim().to_owned(),
            other_parent: form.other_parent,
            household_region: form.household_region.trim().to_owned(),
            household_address: form.household_address.trim().to_owned(),
            bank: form.bank,
            phone: form.phone,
            delivery: form.delivery,
            photo_jpeg: form.photo_jpeg.map(|photo| STANDARD.encode(photo)),
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit("birth.submit", paths::BIRTHS.into(), body, None, None)
            .await
    }

    /// The births this account filed, with their progress lines: fetched
    /// when online, from the cache when not.
    pub async fn births(&self) -> Result<Vec<BirthFlow>, ClientError> {
        let locale = self.locale();
        let network = self.signed_network()?;
        let births: Vec<Birth> = match self
            .call(
                &network,
                &ApiRequest::get(paths::BIRTHS).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let births: Vec<Birth> = response.json()?;
                for birth in &births {
                    self.cache_workflow("birth", &birth.birth_id, birth).await?;
                }
                births
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => {
                self.cached_workflows("birth")?
            }
            Err(error) => return Err(error),
        };
        Ok(births
            .into_iter()
            .map(|birth| birth_flow(birth, locale))
            .collect())
    }
}
