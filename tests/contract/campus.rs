//! The campus scene of the technical-school notice (出入校园, 图书借阅,
//! 考试身份核验): a school registered with the platform, its student's
//! campus-entry code verified offline at the school's gate, his library
//! code resolved at the school's library desk to a pseudonym and his
//! class, never his name, and his exam code resolved to the name and
//! document number an invigilator checks. Another school's gate and desk
//! learn nothing.

use super::minors::student_and_guardian;
use super::service_points::{platform_now, resolve};
use super::*;
use ecard_credential::{Affiliation, ConcessionClass, Disclosure, VerifyError};

/// Registers a school and a service point of it; returns (school, token).
async fn school_with_desk(
    platform: &TestPlatform,
    name: &str,
    region: &str,
    purposes: &[&str],
) -> (Value, String) {
    let school = admin(
        platform,
        Method::POST,
        "/admin/schools",
        Some(json!({ "name": name, "region": region })),
    )
    .await;
    ok(&school, 201);
    let desk = admin(
        platform,
        Method::POST,
        "/admin/operators",
        Some(json!({
            "name": format!("{name}图书馆"), "kind": "school", "purposes": purposes,
            "location": format!("{name}图书馆借还台"), "school_id": school.body["school_id"],
        })),
    )
    .await;
    ok(&desk, 201);
    (school.body, desk.body["token"].as_str().unwrap().to_owned())
}

fn affiliation_of(school: &Value) -> Affiliation {
    Affiliation::new(u32::try_from(school["affiliation"].as_u64().unwrap()).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campus_a_school_admits_lends_and_checks_exams_with_the_students_e_card() {
    let platform = TestPlatform::start();
    let family = student_and_guardian(&platform).await;
    // The guardian allows the e-card on the 16-year-old's own phone.
    let allowed = family
        .parent
        .post_with_pin(
            &format!("/v1/delegations/{}/ward-e-card", family.mandate_id),
            json!({ "allowed": true }),
            "act_for_ward",
        )
        .await;
    ok(&allowed, 200);

    // His school registers, with a library desk that also checks exams;
    // the school's register enrols him from today.
    let (school, desk) = school_with_desk(
        &platform,
        "上犹中专",
        "360724",
        &["library", "education_exam"],
    )
    .await;
    let (other_school, other_desk) =
        school_with_desk(&platform, "赣州技师学院", "360702", &["library"]).await;
    let student = platform.persona("student").await;
    let today = ecard_documents::Date::in_china_at(platform_now(&platform).await)
        .unwrap()
        .to_string();
    ok(
        &admin(
            &platform,
            Method::POST,
            "/admin/school-enrolments",
            Some(json!({
                "school_id": school["school_id"], "id_number": student["id_number"],
                "name": student["name"], "from": today, "until": "2099-06-30",
            })),
        )
        .await,
        201,
    );

    // His phone gets a campus credential naming his school.
    let set = credentials(&family.student, None).await;
    ok(&set, 201);
    let groups: Vec<&Value> = set.body["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|credential| &credential["purposes"])
        .collect();
    assert!(
        groups.contains(&&json!(["campus_entry", "library"])),
        "{groups:?}"
    );

    // 出入校园, offline at the school's gate.
    let now = platform_now(&platform).await;
    let mut gate = Verifier::new(
        &trust_list(&platform).await,
        VerifierPolicy::for_purposes(&[Purpose::CampusEntry]).for_school(affiliation_of(&school)),
    )
    .unwrap();
    let (status, _) = status_list(&platform).await;
    gate.install_status_list(&status, now).unwrap();
    let entry = code_from(&family.student, &set.body, Purpose::CampusEntry, now, 1);
    assert_eq!(
        gate.verify(&entry, now).unwrap().disclosure,
        Disclosure::CampusEntry {
            concession: ConcessionClass::Student,
            affiliation: Some(affiliation_of(&school)),
        }
    );
    // Another school's gate refuses him; a bus gate does not take campus codes.
    let mut other_gate = Verifier::new(
        &trust_list(&platform).await,
        VerifierPolicy::for_purposes(&[Purpose::CampusEntry])
            .for_school(affiliation_of(&other_school)),
    )
    .unwrap();
    other_gate.install_status_list(&status, now).unwrap();
    let entry_again = code_from(&family.student, &set.body, Purpose::CampusEntry, now, 2);
    assert!(matches!(
        other_gate.verify(&entry_again, now),
        Err(VerifyError::WrongAffiliation)
    ));
    let (mut bus, _) = terminal(&platform, &[Purpose::Transport]).await;
    assert!(bus.verify(&entry_again, now).is_err());

    // 图书借阅: the desk learns a pseudonym and the class, never a name;
    // the same pseudonym with the next code.
    let loan = code_from(&family.student, &set.body, Purpose::Library, now, 3);
    let resolved = resolve(&platform, Some(&desk), "desk-1", &loan).await;
    ok(&resolved, 200);
    assert_eq!(resolved.body["purpose"], "library");
    assert_eq!(resolved.body["concession"], "student");
    assert!(resolved.body.get("name").is_none(), "{:?}", resolved.body);
    assert!(resolved.body.get("document_number").is_none());
    let pseudonym = resolved.body["pseudonym"].as_str().unwrap().to_owned();
    let next_loan = code_from(&family.student, &set.body, Purpose::Library, now, 4);
    let again = resolve(&platform, Some(&desk), "desk-2", &next_loan).await;
    ok(&again, 200);
    assert_eq!(again.body["pseudonym"], pseudonym.as_str());
    // Another school's library learns nothing, and does not spend the code.
    let third_loan = code_from(&family.student, &set.body, Purpose::Library, now, 5);
    let refused = resolve(&platform, Some(&other_desk), "desk-1", &third_loan).await;
    problem(&refused, 403, "forbidden");
    assert!(refused.body.get("pseudonym").is_none());

    // 考试身份核验: the invigilator sees the name and document number.
    let exam = code_from(&family.student, &set.body, Purpose::EducationExam, now, 6);
    let checked = resolve(&platform, Some(&desk), "exam-hall-3", &exam).await;
    ok(&checked, 200);
    assert_eq!(checked.body["name"], student["name"]);
    assert_eq!(checked.body["document_number"], student["id_number"]);
    assert_eq!(
        checked.body["pseudonym"],
        pseudonym.as_str(),
        "one operator, one pseudonym"
    );

    // The student sees each look-up: the two loans and the exam check.
    let records = family.student.get("/v1/me/access-records").await;
    ok(&records, 200);
    let purposes: Vec<&str> = records.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| record["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes, ["education_exam", "library", "library"]);
}
