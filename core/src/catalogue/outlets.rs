//! Service outlets near a place: distance on the sphere, open-now from the
//! weekly hours (China time), filter by service.
//!
//! Outlets are held in memory with their coordinates in radians; a query
//! computes the great-circle distance to each candidate and keeps the
//! nearest N with a partial selection, which at 10,000 outlets stays well
//! under the 2 ms budget without a spatial index.

use std::sync::Arc;

use chrono::{Datelike as _, Timelike as _};
use ecard_api::catalogue::{Outlet, OutletService};
use ecard_documents::date::CHINA_TIME_ZONE;

const EARTH_RADIUS_METRES: f64 = 6_371_008.8;

/// A nearby outlet.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct OutletHit {
    /// The outlet (a copy: hits cross to the apps as plain values).
    pub outlet: Outlet,
    /// Great-circle distance in metres.
    pub distance_metres: f64,
    /// Whether it is open at the time asked.
    pub open_now: bool,
}

/// A nearest-outlets request.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "js", derive(serde::Deserialize))]
#[cfg_attr(feature = "js", serde(deny_unknown_fields))]
pub struct OutletQuery {
    /// Latitude, degrees.
    pub latitude: f64,
    /// Longitude, degrees.
    pub longitude: f64,
    /// How many (0 = 20).
    #[cfg_attr(feature = "js", serde(default))]
    pub limit: u32,
    /// Only outlets offering this service.
    #[cfg_attr(feature = "js", serde(default))]
    pub service: Option<OutletService>,
    /// Only outlets open at the query time.
    #[cfg_attr(feature = "js", serde(default))]
    pub open_now_only: bool,
}

struct Entry {
    outlet: Arc<Outlet>,
    latitude: f64,
    longitude: f64,
    cos_latitude: f64,
}

/// The in-memory outlet index.
#[derive(Default)]
pub struct OutletIndex {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for OutletIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("OutletIndex")
            .field("outlets", &self.entries.len())
            .finish()
    }
}

/// Whether `outlet` is open at Unix time `now`.
pub fn is_open(outlet: &Outlet, now: u64) -> bool {
    let Some(local) = i64::try_from(now)
        .ok()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .map(|utc| utc.with_timezone(&CHINA_TIME_ZONE))
    else {
        return false;
    };
    // ISO weekdays, Monday = 1, as the opening hours write them.
    let weekday = local.weekday().number_from_monday() as u8;
    let minute = (local.hour() * 60 + local.minute()) as u16;
    outlet.hours.iter().any(|period| {
        period.weekdays.contains(&weekday) && period.opens <= minute && minute < period.closes
    })
}

impl OutletIndex {
    /// Builds the index.
    pub fn build(outlets: Vec<Outlet>) -> OutletIndex {
        let entries = outlets
            .into_iter()
            .filter(|outlet| outlet.latitude.is_finite() && outlet.longitude.is_finite())
            .map(|outlet| {
                let latitude = outlet.latitude.to_radians();
                Entry {
                    longitude: outlet.longitude.to_radians(),
                    cos_latitude: latitude.cos(),
                    latitude,
                    outlet: Arc::new(outlet),
                }
            })
            .collect();
        OutletIndex { entries }
    }

    /// Number of outlets.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The nearest outlets to a point at time `now`. No I/O: safe on a UI thread.
    pub fn nearest(&self, query: &OutletQuery, now: u64) -> Vec<OutletHit> {
        let limit = if query.limit == 0 {
            20
        } else {
            query.limit as usize
        };
        if !query.latitude.is_finite() || !query.longitude.is_finite() {
            return Vec::new();
        }
        let latitude = query.latitude.to_radians();
        let longitude = query.longitude.to_radians();
        let cos_latitude = latitude.cos();
        let mut candidates: Vec<(f64, &Entry, bool)> = self
            .entries
            .iter()
            .filter(|entry| {
                query
                    .service
                    .is_none_or(|service| entry.outlet.services.contains(&service))
            })
            .filter_map(|entry| {
                let open = is_open(&entry.outlet, now);
                if query.open_now_only && !open {
                    return None;
                }
                // Haversine without the final arcsine: monotone in distance.
                let half_latitude = ((entry.latitude - latitude) / 2.0).sin();
                let half_longitude = ((entry.longitude - longitude) / 2.0).sin();
                let chord = half_latitude * half_latitude
                    + cos_latitude * entry.cos_latitude * half_longitude * half_longitude;
                Some((chord, entry, open))
            })
            .collect();
        if candidates.len() > limit {
            candidates.select_nth_unstable_by(limit, |left, right| left.0.total_cmp(&right.0));
            candidates.truncate(limit);
        }
        candidates.sort_by(|left, right| left.0.total_cmp(&right.0));
        candidates
            .into_iter()
            .map(|(chord, entry, open_now)| OutletHit {
                outlet: entry.outlet.as_ref().clone(),
                distance_metres: 2.0 * EARTH_RADIUS_METRES * chord.sqrt().min(1.0).asin(),
                open_now,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecard_api::catalogue::{OpeningPeriod, OutletKind};

    fn outlet(id: &str, latitude: f64, longitude: f64, services: Vec<OutletService>) -> Outlet {
        Outlet {
            id: id.into(),
            name: id.into(),
            kind: OutletKind::HumanResourcesOffice,
            bank: None,
            region: "360102".into(),
            city: "南昌市".into(),
            address: "八一大道 1 号".into(),
            latitude,
            longitude,
            phone: "0791-88888888".into(),
            hours: vec![OpeningPeriod {
                weekdays: vec![1, 2, 3, 4, 5],
                opens: 8 * 60 + 30,
                closes: 17 * 60 + 30,
            }],
            services,
            version: 1,
        }
    }

    #[test]
    fn opening_hours_follow_china_time() {
        let office = outlet("office", 28.68, 115.86, vec![OutletService::Apply]);
        // Monday 2026-01-05 10:00 China time is 02:00 UTC.
        let monday_ten = 1_767_578_400;
        let minute = 60;
        let day = 86_400;
        assert!(!is_open(&office, monday_ten - 91 * minute), "08:29");
        assert!(is_open(&office, monday_ten - 90 * minute), "08:30");
        assert!(
            is_open(&office, monday_ten + 4 * day + 449 * minute),
            "Friday 17:29"
        );
        assert!(
            !is_open(&office, monday_ten + 4 * day + 450 * minute),
            "Friday 17:30"
        );
        assert!(!is_open(&office, monday_ten + 5 * day), "Saturday");
        assert!(
            !is_open(&office, monday_ten - 10 * 3_600 - minute),
            "Sunday 23:59"
        );
        assert!(!is_open(&office, u64::MAX), "a clock past chrono's range");
    }

    #[test]
    fn nearest_first_with_real_distances() {
        let index = OutletIndex::build(vec![
            outlet("far", 28.0, 116.0, vec![OutletService::Apply]),
            outlet("near", 28.68, 115.86, vec![OutletService::ReportLoss]),
            outlet("middle", 28.70, 115.95, vec![OutletService::Apply]),
        ]);
        // Monday 2026-01-05 10:00 China time.
        let monday_ten = 1_767_578_400;
        let hits = index.nearest(
            &OutletQuery {
                latitude: 28.68,
                longitude: 115.85,
                limit: 2,
                service: None,
                open_now_only: false,
            },
            monday_ten,
        );
        assert_eq!(
            hits.iter()
                .map(|hit| hit.outlet.id.as_str())
                .collect::<Vec<_>>(),
            ["near", "middle"]
        );
        assert!(
            (hits[0].distance_metres - 977.0).abs() < 20.0,
            "{}",
            hits[0].distance_metres
        );
        assert!(hits[0].open_now);
        let apply = index.nearest(
            &OutletQuery {
                latitude: 28.68,
                longitude: 115.85,
                limit: 5,
                service: Some(OutletService::Apply),
                open_now_only: false,
            },
            monday_ten,
        );
        assert_eq!(apply.len(), 2);
        let sunday = monday_ten - 86_400;
        assert!(
            index
                .nearest(
                    &OutletQuery {
                        latitude: 28.68,
                        longitude: 115.85,
                        limit: 5,
                        service: None,
                        open_now_only: true
                    },
                    sunday
                )
                .is_empty()
        );
    }
}
