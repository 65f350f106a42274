//! Validation of identity documents, phone numbers, addresses and photos.
//!
//! A card application (申领), a replacement (补换) or a guardian's
//! application for a minor collects a document number, a phone number, a
//! mailing address and a photo. Checking them on the phone, offline, before
//! the submission enters the outbox catches the typo while the person still
//! holds the card and the camera, instead of weeks later at the bureau. The
//! platform checks again; these rules only refuse what can never be right.
//!
//! - [`identity`]: the six document types ([`DocumentType`]), their layouts,
//!   [`validate`], [`detect`] and the facts a number carries (birth date,
//!   sex, age, and so whether a guardian must apply);
//! - [`mask()`]: the masked form for display and logs;
//! - [`phone`], [`address`], [`photo`]: contact phone, mailing address, and
//!   the card photo against a region's [`PhotoRules`];
//! - [`DocumentError`]: what the validators return, one variant per area;
//!   each area's error ([`IdentityError`], [`PhoneError`], [`AddressError`],
//!   [`PhotoError`]) lives beside that area's rules and has one variant per
//!   rule, with a stable code, the form field at fault and a plain zh-CN / en
//!   message.
//!
//! Everything here is pure and synchronous (no I/O, no clock except
//! [`Date::today`]) and safe to call on any thread, including the UI thread.
#![forbid(unsafe_code)]

pub mod address;
pub mod date;
pub mod error;
pub mod identity;
pub mod mask;
pub mod phone;
pub mod photo;
mod text;

#[cfg(test)]
mod never_panics;

pub use address::{Address, AddressError, validate_address};
pub use date::Date;
pub use error::DocumentError;
pub use identity::{
    ADULT_AGE, Document, DocumentType, HomeReturnPermit, IdentityError, Origin, Passport,
    PassportKind, PermanentResidentFormat, PermanentResidentId, ResidencePermit, ResidentId, Sex,
    TaiwanPermitFormat, TaiwanTravelPermit, check_character, detect, guess_type, validate,
    validate_home_return_permit, validate_passport, validate_permanent_resident_id,
    validate_residence_permit, validate_resident_id, validate_taiwan_travel_permit,
};
pub use mask::{mask, mask_name};
pub use phone::{Phone, PhoneError, PhoneKind, validate_phone};
pub use photo::{ImageFormat, PhotoError, PhotoInfo, PhotoRules, jpeg_dimensions, validate_photo};
