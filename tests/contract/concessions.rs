//! Concessions as rules data: the class a code carries follows the
//! region's rules and the records the platform keeps (school enrolments,
//! disability certificates, 优待证), never a table in the issuer.

use super::*;

/// The transport concession of a fresh code of `card_id` from `device`.
async fn concession_of(
    platform: &TestPlatform,
    device: &RawDevice,
    card_id: Option<&str>,
) -> ecard_credential::ConcessionClass {
    let set = credentials(device, card_id).await;
    ok(&set, 201);
    let (mut verifier, now) = terminal(platform, &[Purpose::Transport]).await;
    let code = code_from(device, &set.body, Purpose::Transport, now, 1);
    match verifier.verify(&code, now).unwrap().disclosure {
        ecard_credential::Disclosure::Transport { concession } => concession,
        other => panic!("a transport code disclosed {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concession_classes_follow_the_regions_rules_and_the_records_kept() {
    use ecard_credential::ConcessionClass::{Disability, Senior, SeniorFree, Standard, Student};
    let platform = TestPlatform::start();

    // The elder (78) is in Jiangxi's free class (65 and over, the report's
    // 65周岁以上老年人…免票入园); with the free age moved to 80 by the
    // rules, the same person's next code is the reduced class.
    let elder = platform.enrol_persona("elder").await;
    assert_eq!(concession_of(&platform, &elder, None).await, SeniorFree);
    change_rules(&platform, "360000", |rules| {
        rules["concessions"]["classes"][0]["basis"]["from"] = json!(80);
        rules["concessions"]["classes"][3]["basis"]["below"] = json!(80);
    })
    .await;
    assert_eq!(concession_of(&platform, &elder, None).await, Senior);

    // The seeded student (16) is enrolled at the seeded school: his
    // guardian's codes for him carry the student class.
    let family = super::minors::student_and_guardian(&platform).await;
    let (parent, card) = (&family.parent, &family.card_id);
    let student = platform.persona("student").await;
    let class = || concession_of(&platform, parent, Some(card));
    assert_eq!(class().await, Student);

    // A disability certificate from the federation's feed: Jiangxi ranks
    // the disability class before the student class.
    let certificate = |until: &str| {
        json!({
            "document": "disability_certificate", "number": "36060220100315211342",
            "id_number": student["id_number"], "name": student["name"],
            "from": "2020-01-01", "until": until,
        })
    };
    let recorded = admin(
        &platform,
        Method::POST,
        "/admin/concession-documents",
        Some(certificate("2099-12-31")),
    )
    .await;
    ok(&recorded, 201);
    assert_eq!(class().await, Disability);
    // Sent again ending in the past: the same record, and the class is gone.
    let ended = admin(
        &platform,
        Method::POST,
        "/admin/concession-documents",
        Some(certificate("2021-12-31")),
    )
    .await;
    ok(&ended, 201);
    assert_eq!(ended.body["record_id"], recorded.body["record_id"]);
    assert_eq!(class().await, Student);
    // Without a student class in the rules, enrolment gives nothing.
    change_rules(&platform, "360000", |rules| {
        let classes = rules["concessions"]["classes"].as_array_mut().unwrap();
        classes.retain(|class| class["class"] != "student");
    })
    .await;
    assert_eq!(class().await, Standard);

    // The feeds refuse what they cannot tie to one person or school.
    let elder_person = platform.persona("elder").await;
    let mut stolen = certificate("2099-12-31");
    stolen["id_number"] = elder_person["id_number"].clone();
    stolen["name"] = elder_person["name"].clone();
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/concession-documents",
            Some(stolen),
        )
        .await,
        422,
        "invalid_field",
    );
    let mut misnamed = certificate("2099-12-31");
    misnamed["name"] = json!("张三");
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/concession-documents",
            Some(misnamed),
        )
        .await,
        422,
        "identity_not_verified",
    );
    let school = admin(
        &platform,
        Method::POST,
        "/admin/schools",
        Some(json!({ "name": "上犹中专", "region": "360724" })),
    )
    .await;
    ok(&school, 201);
    assert_eq!(
        school.body["affiliation"], 2,
        "the seeded school is number 1"
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/schools",
            Some(json!({ "name": " ", "region": "360724" })),
        )
        .await,
        422,
        "invalid_field",
    );
    let enrolment = |school_id: &Value, from: &str, until: &str| {
        json!({
            "school_id": school_id, "id_number": student["id_number"], "name": student["name"],
            "from": from, "until": until,
        })
    };
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/school-enrolments",
            Some(enrolment(&json!("school-none"), "2025-09-01", "2028-06-30")),
        )
        .await,
        422,
        "invalid_field",
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/school-enrolments",
            Some(enrolment(
                &school.body["school_id"],
                "2028-06-30",
                "2025-09-01",
            )),
        )
        .await,
        422,
        "invalid_field",
    );
    // A day that does not exist is a field error, not a malformed body.
    for (from, until) in [("0000-00-00", "2028-06-30"), ("2025-09-01", "2025-02-30")] {
        let answer = admin(
            &platform,
            Method::POST,
            "/admin/school-enrolments",
            Some(enrolment(&school.body["school_id"], from, until)),
        )
        .await;
        problem(&answer, 422, "invalid_field");
    }

    // A rules document with a meaningless class is refused before it is stored.
    let mut document = rules(&platform, "360000").await;
    document["concessions"]["classes"][0]["class"] = json!("standard");
    problem(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        422,
        "invalid_field",
    );
    let mut document = rules(&platform, "360000").await;
    document["concessions"]["classes"][0]["basis"] =
        json!({ "kind": "age", "from": 70, "below": 60 });
    problem(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        422,
        "invalid_field",
    );
}
