//! Social-insurance records (社会保险个人权益记录 / 缴费记录): the register's
//! participation and contribution history of every person in it.
//!
//! The reference platform has no social-insurance agency behind it, so the
//! history is sample data, generated when a person is added to the register
//! and stored (one table per kind, keyed by the person): the same person
//! (the same ID number, birth date and region) always gets the same
//! history. The rules — when work starts, employer changes, flexible
//! employment, transfers between regions, bases that grow with the
//! average wage, the rates per insurance, retirement at the statutory age —
//! are in `docs/sample-data.md` ("Insurance records"). People from a
//! database older than these tables get theirs at the first read.
//!
//! Records are personal data: they are answered only to the person or a
//! proxy with the `records` scope, never logged, and removed with the
//! account ([`forget_person`]).

use std::collections::{BTreeMap, HashMap};

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::insurance::{
    ContributionMonth, Insurance, InsuranceRecord, Participation, ParticipationStatus, Payer,
    PensionStart, Scheme, Transfer, YearTotal,
};
use ecard_api::problem::ProblemCode;
use ecard_documents::Date;

use crate::error::{ApiError, ApiResult};
use crate::store::codec::{enum_name, hex, parse_enum};
use crate::store::rows::{Person, person};

/// A month as a number: `year * 12 + (month - 1)`.
type Month = i32;

fn month_of(date: Date) -> Month {
    i32::from(date.year()) * 12 + i32::from(date.month()) - 1
}

fn year_of(month: Month) -> u16 {
    u16::try_from(month.div_euclid(12)).unwrap_or(0)
}

/// `YYYY-MM`.
pub fn month_text(month: Month) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// A small deterministic generator (SplitMix64) seeded from the person.
struct Draws(u64);

impl Draws {
    fn for_person(person: &Person) -> Draws {
        let seed = ring::digest::digest(
            &ring::digest::SHA256,
            format!(
                "insurance-records-v1|{}|{}|{}",
                person.id_number, person.birth_date, person.region
            )
            .as_bytes(),
        );
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&seed.as_ref()[..8]);
        Draws(u64::from_le_bytes(bytes))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }

    /// True with `percent` per cent.
    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items
            .get(self.below(items.len() as u32) as usize)
            .copied()
            .unwrap_or("")
    }
}

/// The average monthly wage (社会平均工资) of `year` in yuan, a smooth
/// model of the published series: slow growth before 1990, 13 % a year to
/// 2010, 8 % after.
fn average_wage(year: u16) -> f64 {
    let year = f64::from(year);
    if year < 1990.0 {
        200.0 * 1.05f64.powf(year - 1990.0)
    } else if year <= 2010.0 {
        200.0 * 1.13f64.powf(year - 1990.0)
    } else {
        2_300.0 * 1.08f64.powf(year - 2010.0)
    }
}

/// The yearly personal fee of resident medical insurance (城乡居民医保), yuan.
fn resident_medical_fee(year: u16) -> u64 {
    match year {
        ..=2010 => 20,
        2011 => 30,
        2012 => 50,
        2013 => 70,
        2014 => 90,
        2015 => 120,
        2016 => 150,
        2017 => 180,
        2018 => 220,
        2019 => 250,
        2020 => 280,
        2021 => 320,
        2022 => 350,
        2023 => 380,
        _ => 400,
    }
}

/// Regions migrant workers go to, with their names.
const OTHER_REGIONS: [(&str, &str); 7] = [
    ("440300", "深圳"),
    ("330100", "杭州"),
    ("310000", "上海"),
    ("320500", "苏州"),
    ("110000", "北京"),
    ("350200", "厦门"),
    ("430100", "长沙"),
];

/// A division code's place name for certificates and employer names (the
/// sample regions; other codes by their province).
pub fn region_name(code: &str) -> String {
    if let Some((_, name)) = OTHER_REGIONS.iter().find(|(other, _)| *other == code) {
        return (*name).to_owned();
    }
    let city = match code.get(..4) {
        Some("3601") => Some("南昌"),
        Some("3602") => Some("景德镇"),
        Some("3603") => Some("萍乡"),
        Some("3604") => Some("九江"),
        Some("3605") => Some("新余"),
        Some("3606") => Some("鹰潭"),
        Some("3607") => Some("赣州"),
        Some("3608") => Some("吉安"),
        Some("3609") => Some("宜春"),
        Some("3610") => Some("抚州"),
        Some("3611") => Some("上饶"),
        _ => None,
    };
    if let Some(city) = city {
        return city.to_owned();
    }
    match code.get(..2) {
        Some("11") => "北京",
        Some("31") => "上海",
        Some("32") => "江苏",
        Some("33") => "浙江",
        Some("35") => "福建",
        Some("36") => "江西",
        Some("43") => "湖南",
        Some("44") => "广东",
        Some("51") => "四川",
        _ => "",
    }
    .to_owned()
}

/// An employer's name in `region`.
fn employer_name(draws: &mut Draws, region: &str, month: Month) -> String {
    let planned = year_of(month) < 1993;
    let place = region_name(region);
    if planned {
        let kind = draws.pick(&[
            "第二机械厂",
            "纺织厂",
            "棉纺织厂",
            "搪瓷厂",
            "供销社",
            "百货公司",
            "钢铁厂",
            "印刷厂",
        ]);
        return format!("国营{place}{kind}");
    }
    let word = draws.pick(&[
        "洪城", "赣江", "瑞丰", "华信", "恒通", "新元", "明达", "长青", "卓越", "正邦",
    ]);
    let trade = draws.pick(&[
        "机械制造",
        "电子科技",
        "物流",
        "建筑工程",
        "食品",
        "商贸",
        "软件",
        "医药",
        "纺织",
        "物业管理",
    ]);
    let suffix = draws.pick(&["有限公司", "股份有限公司", "有限责任公司"]);
    format!("{place}{word}{trade}{suffix}")
}

/// Contribution rates in basis points (1/10,000 of the base).
#[derive(Clone, Copy)]
struct Rates {
    personal: u64,
    employer: u64,
}

fn employee_rates(insurance: Insurance, month: Month, medical_employer: u64, injury: u64) -> Rates {
    let year = year_of(month);
    match insurance {
        // 20 % for employers until the 2019 reduction (国办发〔2019〕13号).
        Insurance::Pension => Rates {
            personal: 800,
            employer: if month >= 2019 * 12 + 4 { 1_600 } else { 2_000 },
        },
        Insurance::Medical => Rates {
            personal: 200,
            employer: medical_employer,
        },
        Insurance::Unemployment => {
            if year < 2015 {
                Rates {
                    personal: 100,
                    employer: 200,
                }
            } else {
                Rates {
                    personal: 50,
                    employer: 50,
                }
            }
        }
        Insurance::WorkInjury => Rates {
            personal: 0,
            employer: injury,
        },
    }
}

/// Which insurances existed for employees in `month`: the pension always
/// (earlier service is counted as contributions), employee medical and
/// unemployment insurance from 1999, work injury from 2004.
fn insured_in(insurance: Insurance, month: Month) -> bool {
    let year = year_of(month);
    match insurance {
        Insurance::Pension => true,
        Insurance::Medical | Insurance::Unemployment => year >= 1999,
        Insurance::WorkInjury => year >= 2004,
    }
}

/// A generated month.
#[derive(Clone, Debug)]
struct GeneratedMonth {
    month: Month,
    insurance: Insurance,
    scheme: Scheme,
    employer: Option<String>,
    base: u64,
    personal: u64,
    employer_amount: u64,
    region: String,
    paid: bool,
}

/// A person's generated history.
struct Generated {
    through: Month,
    months: Vec<GeneratedMonth>,
    transfers: Vec<(Date, String, String)>,
    pension: Option<(Month, String, u64)>,
}

/// The statutory retirement month (the first month of the pension) of a
/// person born in `birth`: 60 for men, 50 for women workers and 55 for
/// women staff, raised by the 2025 reform by one month for every four
/// months (every two, for women at 50) after January 2025, up to three
/// (five) years.
fn retirement_month(birth: Month, male: bool, staff: bool) -> Month {
    let (age, step, cap) = match (male, staff) {
        (true, _) => (60, 4, 36),
        (false, true) => (55, 4, 36),
        (false, false) => (50, 2, 60),
    };
    let legacy = birth + age * 12 + 1;
    let reform = 2025 * 12;
    if legacy < reform {
        return legacy;
    }
    let delay = ((legacy - reform) / step + 1).min(cap);
    legacy + delay
}

fn is_male(person: &Person, draws: &mut Draws) -> bool {
    if person.id_number.len() == 18
        && let Some(digit) = person.id_number.as_bytes().get(16)
        && digit.is_ascii_digit()
    {
        return (digit - b'0') % 2 == 1;
    }
    draws.chance(50)
}

fn fen(yuan: f64) -> u64 {
    (yuan.max(0.0).round() as u64).saturating_mul(100)
}

fn share(base: u64, basis_points: u64) -> u64 {
    (base.saturating_mul(basis_points) + 5_000) / 10_000
}

/// The history of `person` up to the month of `now`.
fn generate(person: &Person, now: u64) -> ApiResult<Generated> {
    let today = Date::in_china_at(now)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "clock out of range"))?;
    let through = month_of(today);
    let birth = month_of(person.birth_date);
    let mut draws = Draws::for_person(person);
    let male = is_male(person, &mut draws);
    let staff = draws.chance(50);
    let retire = retirement_month(birth, male, staff);
    let work_start = birth + 12 * (18 + draws.below(7) as i32) + draws.below(12) as i32;
    // Employees pay a month in arrears: the current month is not due yet.
    let end = (through - 1).min(retire - 1);
    let home = person.region.clone();
    let mut months = Vec::new();
    let mut transfers = Vec::new();

    // Resident medical insurance (from 2007) before work starts: a yearly
    // payment, in January or the birth month.
    let resident_until = work_start.min(through + 1);
    let first_resident_year = year_of(birth).max(2007);
    for year in first_resident_year..=year_of(resident_until - 1) {
        let month = (i32::from(year) * 12).max(birth);
        if month >= resident_until {
            break;
        }
        months.push(GeneratedMonth {
            month,
            insurance: Insurance::Medical,
            scheme: Scheme::Resident,
            employer: None,
            base: 0,
            personal: resident_medical_fee(year) * 100,
            employer_amount: 0,
            region: home.clone(),
            paid: true,
        });
    }

    let mut region = if year_of(work_start) >= 1993 && draws.chance(40) {
        OTHER_REGIONS[draws.below(OTHER_REGIONS.len() as u32) as usize]
            .0
            .to_owned()
    } else {
        home.clone()
    };
    let medical_employer = [600, 700, 800][draws.below(3) as usize];
    let mut factor = 0.7 + draws.unit() * 0.6;
    let mut month = work_start;
    let mut moves = 0;
    let mut pension_sum_factor = 0.0;
    let mut pension_months = 0u32;
    while month <= end {
        // An employment: one unit for life before the 1993 reforms, two to
        // ten years after.
        let planned = year_of(month) < 1993;
        let length = if planned {
            1993 * 12 - month + 24 + draws.below(96) as i32
        } else {
            24 + draws.below(96) as i32
        };
        let employer = employer_name(&mut draws, &region, month);
        let injury = [20, 40, 50, 70, 90][draws.below(5) as usize];
        let stop = (month + length).min(end + 1);
        while month < stop {
            let base = fen(average_wage(year_of(month)) * factor.clamp(0.6, 3.0));
            for insurance in Insurance::ALL {
                if !insured_in(insurance, month) {
                    continue;
                }
                let rates = employee_rates(insurance, month, medical_employer, injury);
                months.push(GeneratedMonth {
                    month,
                    insurance,
                    scheme: Scheme::Employee,
                    employer: Some(employer.clone()),
                    base,
                    personal: share(base, rates.personal),
                    employer_amount: share(base, rates.employer),
                    region: region.clone(),
                    paid: true,
                });
            }
            pension_sum_factor += factor.clamp(0.6, 3.0);
            pension_months += 1;
            if month % 12 == 0 {
                factor *= 1.0 + draws.unit() * 0.08;
            }
            month += 1;
        }
        if month > end {
            break;
        }
        // Between employments: flexible employment, a gap, or straight on.
        let between = draws.below(100);
        if between < 35 {
            let gap_end = (month + 3 + draws.below(22) as i32).min(end + 1);
            let flexible_factor = 0.6 + draws.unit() * 0.4;
            while month < gap_end {
                let base = fen(average_wage(year_of(month)) * flexible_factor);
                let paid = !draws.chance(5);
                for (insurance, rate) in [(Insurance::Pension, 2_000), (Insurance::Medical, 800)] {
                    if !insured_in(insurance, month) {
                        continue;
                    }
                    months.push(GeneratedMonth {
                        month,
                        insurance,
                        scheme: Scheme::FlexibleEmployment,
                        employer: None,
                        base,
                        personal: share(base, rate),
                        employer_amount: 0,
                        region: region.clone(),
                        paid,
                    });
                }
                pension_sum_factor += flexible_factor;
                pension_months += 1;
                month += 1;
            }
        } else if between < 50 {
            month += 1 + draws.below(12) as i32;
        }
        // A move (with its transfer): away from home, or back.
        let away = region != home;
        if moves < 2 && draws.chance(if away { 60 } else { 25 }) && month <= end {
            let next = if away {
                home.clone()
            } else {
                OTHER_REGIONS[draws.below(OTHER_REGIONS.len() as u32) as usize]
                    .0
                    .to_owned()
            };
            let day = Date::new(year_of(month), (month.rem_euclid(12) + 1) as u8, 1)
                .ok_or_else(|| ApiError::new(ProblemCode::Internal, "month out of range"))?;
            transfers.push((day, region.clone(), next.clone()));
            region = next;
            moves += 1;
        }
    }
    let pension = (retire <= through && pension_months > 0).then(|| {
        let account: u64 = months
            .iter()
            .filter(|month| month.insurance == Insurance::Pension)
            .map(|month| month.personal)
            .sum();
        let average_factor = pension_sum_factor / f64::from(pension_months);
        let years = f64::from(pension_months) / 12.0;
        let basic = average_wage(year_of(retire)) * (1.0 + average_factor) / 2.0 * years / 100.0;
        (retire, region.clone(), fen(basic) + account / 139)
    });
    Ok(Generated {
        through,
        months,
        transfers,
        pension,
    })
}

/// Generates and stores the record of `person_id` (a person just added to
/// the register), unless it has one.
pub fn generate_for(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<()> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM insurance_record_sets WHERE person_id = ?1")?
        .query_row(params![person_id], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Ok(());
    }
    let person = person(tx, person_id)?;
    let generated = generate(&person, now)?;
    let (pension_since, pension_region, pension_monthly) = match &generated.pension {
        Some((since, region, monthly)) => (
            Some(month_text(*since)),
            Some(region.clone()),
            Some(*monthly as i64),
        ),
        None => (None, None, None),
    };
    tx.execute(
        "INSERT INTO insurance_record_sets (person_id, through_month, generated_at, pension_since, pension_region, pension_monthly) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            person_id,
            month_text(generated.through),
            now as i64,
            pension_since,
            pension_region,
            pension_monthly
        ],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO insurance_months (person_id, month, insurance, scheme, employer, base, personal, employer_amount, region, paid) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for month in &generated.months {
        insert.execute(params![
            person_id,
            month_text(month.month),
            enum_name(&month.insurance),
            enum_name(&month.scheme),
            month.employer,
            month.base as i64,
            month.personal as i64,
            month.employer_amount as i64,
            month.region,
            month.paid
        ])?;
    }
    for (day, from, to) in &generated.transfers {
        tx.execute(
            "INSERT INTO insurance_transfers (person_id, day, from_region, to_region) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![person_id, day.to_string(), from, to],
        )?;
    }
    for participation in participations(&generated) {
        tx.execute(
            "INSERT INTO insurance_participations (person_id, insurance, since, status, scheme, region) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                person_id,
                enum_name(&participation.insurance),
                participation.since,
                enum_name(&participation.status),
                enum_name(&participation.scheme),
                participation.region
            ],
        )?;
    }
    Ok(())
}

/// Each insurance's participation from the months.
fn participations(generated: &Generated) -> Vec<Participation> {
    let retired = generated.pension.is_some();
    Insurance::ALL
        .into_iter()
        .filter_map(|insurance| {
            let mut rows = generated
                .months
                .iter()
                .filter(|month| month.insurance == insurance);
            let first = rows.next()?;
            let last = rows.next_back().unwrap_or(first);
            let count = generated
                .months
                .iter()
                .filter(|month| month.insurance == insurance)
                .count();
            let current = match last.scheme {
                Scheme::Resident => year_of(last.month) == year_of(generated.through),
                _ => last.month >= generated.through - 1,
            };
            let status = match insurance {
                Insurance::Pension | Insurance::Medical if retired => ParticipationStatus::Retired,
                _ if current => ParticipationStatus::Contributing,
                _ => ParticipationStatus::Suspended,
            };
            Some(Participation {
                insurance,
                since: month_text(first.month),
                status,
                scheme: last.scheme,
                region: last.region.clone(),
                months: count as u32,
            })
        })
        .collect()
}

/// The stored set of a person: last month covered, when generated, pension.
struct RecordSet {
    through: String,
    generated_at: u64,
    pension: Option<PensionStart>,
}

fn record_set(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Option<RecordSet>> {
    Ok(tx
        .prepare_cached(
            "SELECT through_month, generated_at, pension_since, pension_region, pension_monthly \
             FROM insurance_record_sets WHERE person_id = ?1",
        )?
        .query_row(params![person_id], |row| {
            let since: Option<String> = row.get(2)?;
            let region: Option<String> = row.get(3)?;
            let monthly: Option<i64> = row.get(4)?;
            Ok(RecordSet {
                through: row.get(0)?,
                generated_at: row.get::<_, i64>(1)?.max(0) as u64,
                pension: match (since, region, monthly) {
                    (Some(since), Some(region), Some(monthly)) => Some(PensionStart {
                        since,
                        region,
                        monthly: monthly.max(0) as u64,
                    }),
                    _ => None,
                },
            })
        })
        .optional()?)
}

/// The entity tag of a person's record: it changes only when the record
/// is generated again.
pub fn record_etag(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<String> {
    let set = ensure_record(tx, person_id, now)?;
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{person_id}|{}|{}", set.through, set.generated_at).as_bytes(),
    );
    Ok(format!("\"ir-{}\"", &hex(digest.as_ref())[..24]))
}

fn ensure_record(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<RecordSet> {
    if let Some(set) = record_set(tx, person_id)? {
        return Ok(set);
    }
    generate_for(tx, person_id, now)?;
    record_set(tx, person_id)?
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "record not generated"))
}

/// The whole record of `person_id` as of `now` (generated first for a
/// person from an older database).
pub fn record(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<InsuranceRecord> {
    let set = ensure_record(tx, person_id, now)?;
    let mut participations = tx
        .prepare_cached(
            "SELECT insurance, since, status, scheme, region, \
             (SELECT COUNT(*) FROM insurance_months m WHERE m.person_id = p.person_id AND m.insurance = p.insurance) \
             FROM insurance_participations p WHERE person_id = ?1",
        )?
        .query_map(params![person_id], |row| {
            Ok(Participation {
                insurance: parse_enum(&row.get::<_, String>(0)?)?,
                since: row.get(1)?,
                status: parse_enum(&row.get::<_, String>(2)?)?,
                scheme: parse_enum(&row.get::<_, String>(3)?)?,
                region: row.get(4)?,
                months: row.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    participations.sort_by_key(|participation| participation.insurance);

    let mut payers: Vec<Payer> = Vec::new();
    let mut payer_index: HashMap<(String, Option<String>), u32> = HashMap::new();
    let mut months = Vec::new();
    let mut statement = tx.prepare_cached(
        "SELECT month, insurance, scheme, employer, base, personal, employer_amount, region, paid \
         FROM insurance_months WHERE person_id = ?1 ORDER BY month",
    )?;
    for read in statement.query_map(params![person_id], |row| {
        let scheme_text: String = row.get(2)?;
        let employer: Option<String> = row.get(3)?;
        let key = (scheme_text, employer);
        let payer = match payer_index.get(&key) {
            Some(index) => *index,
            None => {
                let index = payers.len() as u32;
                payers.push(Payer {
                    scheme: parse_enum(&key.0)?,
                    employer: key.1.clone(),
                });
                payer_index.insert(key, index);
                index
            }
        };
        months.push(ContributionMonth {
            month: row.get(0)?,
            insurance: parse_enum(&row.get::<_, String>(1)?)?,
            payer,
            base: row.get::<_, i64>(4)?.max(0) as u64,
            personal: row.get::<_, i64>(5)?.max(0) as u64,
            employer: row.get::<_, i64>(6)?.max(0) as u64,
            region: row.get(7)?,
            paid: row.get(8)?,
        });
        Ok(())
    })? {
        read?;
    }
    months.sort_by(|a, b| a.month.cmp(&b.month).then(a.insurance.cmp(&b.insurance)));
    let transfers = tx
        .prepare_cached(
            "SELECT day, from_region, to_region FROM insurance_transfers WHERE person_id = ?1 ORDER BY day",
        )?
        .query_map(params![person_id], |row| {
            Ok(Transfer {
                date: row.get(0)?,
                from_region: row.get(1)?,
                to_region: row.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InsuranceRecord {
        person_id: person_id.to_owned(),
        as_of: now,
        through: set.through,
        participations,
        payers,
        totals: totals(&months),
        months,
        transfers,
        pension: set.pension,
    })
}

/// Totals per year and insurance.
pub fn totals(months: &[ContributionMonth]) -> Vec<YearTotal> {
    let mut by_year: BTreeMap<(u16, Insurance), YearTotal> = BTreeMap::new();
    for month in months {
        let year = month
            .month
            .get(..4)
            .and_then(|year| year.parse().ok())
            .unwrap_or(0);
        let total = by_year
            .entry((year, month.insurance))
            .or_insert_with(|| YearTotal {
                year,
                insurance: month.insurance,
                months: 0,
                months_owed: 0,
                personal: 0,
                employer: 0,
            });
        total.months += 1;
        if !month.paid {
            total.months_owed += 1;
        }
        total.personal += month.personal;
        total.employer += month.employer;
    }
    by_year.into_values().collect()
}

/// Removes the platform's copy of the person's record (account deletion);
/// returns the rows removed. A person who enrols again gets the register's
/// record back at the first read.
pub fn forget_person(tx: &Transaction<'_>, person_id: &str) -> ApiResult<usize> {
    let mut removed = 0;
    for table in [
        "insurance_months",
        "insurance_transfers",
        "insurance_participations",
        "insurance_record_sets",
    ] {
        removed += tx.execute(
            &format!("DELETE FROM {table} WHERE person_id = ?1"),
            params![person_id],
        )?;
    }
    Ok(removed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn someone(id_number: &str, birth: Date) -> Person {
        Person {
            person_id: "p".to_owned(),
            id_type: "resident_id".to_owned(),
            id_number: id_number.to_owned(),
            name: "测试".to_owned(),
            birth_date: birth,
            region: "360102".to_owned(),
            household_register: None,
            birth_certificate: None,
            phone: None,
            self_supporting: false,
        }
    }

    /// 2026-11-30 in China.
    const NOW: u64 = 1_795_996_800;

    #[test]
    fn a_worker_has_plausible_deterministic_months() {
        let person = someone("360102198803152138", Date::new(1988, 3, 15).unwrap());
        let first = generate(&person, NOW).unwrap();
        let again = generate(&person, NOW).unwrap();
        assert_eq!(first.months.len(), again.months.len());
        assert!(first.pension.is_none());
        let employee: Vec<_> = first
            .months
            .iter()
            .filter(|month| month.scheme == Scheme::Employee)
            .collect();
        assert!(!employee.is_empty());
        for month in &employee {
            match month.insurance {
                Insurance::Pension => assert_eq!(month.personal, share(month.base, 800)),
                Insurance::WorkInjury => assert_eq!(month.personal, 0),
                _ => {}
            }
            assert!(month.employer.is_some());
        }
        // Work starts between 18 and 25.
        let start = first
            .months
            .iter()
            .find(|month| month.scheme != Scheme::Resident)
            .unwrap()
            .month;
        let age = (start - month_of(person.birth_date)) / 12;
        assert!((18..=24).contains(&age), "{age}");
    }

    #[test]
    fn a_minor_has_resident_medical_insurance_only() {
        let person = someone("360102201509010244", Date::new(2015, 9, 1).unwrap());
        let generated = generate(&person, NOW).unwrap();
        assert!(!generated.months.is_empty());
        assert!(generated.months.iter().all(|month| {
            month.insurance == Insurance::Medical && month.scheme == Scheme::Resident
        }));
    }

    #[test]
    fn the_seeded_elder_has_thirty_years_and_a_pension() {
        let birth = Date::new(1948, 6, 2).unwrap();
        // 刘桂兰 as `domain::seed` registers her.
        let generated = generate(&someone("360102194806020464", birth), NOW).unwrap();
        let pension: Vec<Month> = generated
            .months
            .iter()
            .filter(|month| month.insurance == Insurance::Pension)
            .map(|month| month.month)
            .collect();
        let years = (pension.last().unwrap() - pension.first().unwrap() + 1) / 12;
        assert!(years >= 30, "{years} years");
        assert!(pension.len() >= 30 * 12, "{} months", pension.len());
        assert!(generated.pension.is_some());
    }

    #[test]
    fn the_statutory_age_and_the_2025_reform() {
        let birth = 1965 * 12 + 5;
        assert_eq!(
            retirement_month(birth, true, false),
            birth + 60 * 12 + 1 + 2
        );
        assert_eq!(retirement_month(1948 * 12, false, false), 1998 * 12 + 1);
        let late = 1990 * 12;
        assert_eq!(retirement_month(late, true, false), late + 63 * 12 + 1);
    }
}
