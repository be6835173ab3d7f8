use super::{BOUNDARY, form, import, member_path, post_raw, testdata};
use crate::support::apps;
use serde_json::json;

#[tokio::test]
async fn real_files_import_once_and_a_resend_answers_the_stored_activity() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, Some(&coach)).await;
        let gpx = testdata("route-5k.gpx");

        let first = import(&app, &org_id, &athlete, &athlete.token, "route-5k.gpx", &gpx).await;
        let created = first.assert_status(201).clone();
        let distance = created["distance_m"].as_f64().unwrap();
        assert!((distance - 5003.78).abs() / 5003.78 < 0.01, "{distance}");
        assert_eq!(created["duration_s"], 1800);
        assert_eq!(created["sport"], "run");
        assert_eq!(created["avg_hr"], 150);
        assert_eq!(created["title"], "Morning run & hill");
        assert_eq!(created["source"], "manual");
        assert_eq!(created["created_by"], athlete.user_id.as_str());
        let hash = created["external_id"].as_str().unwrap();
        assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");

        // The same file again, by a coach: the stored activity, nothing new.
        let again = import(&app, &org_id, &athlete, &head.token, "renamed.gpx", &gpx).await;
        assert_eq!(again.assert_status(200)["activity_id"], created["activity_id"], "{:?}", app.backend);
        let feed = app.get(&member_path(&org_id, &athlete, "activities"), &head.token).await;
        assert_eq!(feed.assert_status(200)["data"].as_array().unwrap().len(), 1);

        // A real FIT recording (a 9 km run on a Garmin Fenix 2), by the assigned assistant coach.
        let fit =
            import(&app, &org_id, &athlete, &coach.token, "run.fit", &testdata("fit/activity-small-fenix2-run.fit"))
                .await;
        let body = fit.assert_status(201);
        let distance = body["distance_m"].as_f64().unwrap();
        assert!((distance - 9008.22).abs() / 9008.22 < 0.01, "{distance}");
        assert_eq!(body["sport"], "run");
        assert_eq!(body["created_by"], coach.user_id.as_str());

        // The form's sport and title override the file's.
        let tcx = post_raw(
            &app,
            &member_path(&org_id, &athlete, "activities/import"),
            &athlete.token,
            &format!("multipart/form-data; boundary=\"{BOUNDARY}\""),
            form(&[
                ("sport", None, b"bike"),
                ("title", None, "Café ride".as_bytes()),
                ("file", Some("route.tcx"), &testdata("route-5k.tcx")),
            ]),
        )
        .await;
        let body = tcx.assert_status(201);
        assert_eq!((body["sport"].as_str(), body["title"].as_str()), (Some("bike"), Some("Café ride")));
        let distance = body["distance_m"].as_f64().unwrap();
        assert!((distance - 5003.78).abs() / 5003.78 < 0.01, "{distance}");
    }
}

#[tokio::test]
async fn bad_files_and_bad_forms_are_refused_with_their_codes() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let coach = app.assistant_coach(&head, &org_id).await;
        let athlete = app.athlete(&org_id, None).await;
        let other = app.athlete(&org_id, None).await;
        let gpx = testdata("route-5k.gpx");

        for broken in ["fit/activity-settings-corruptheader.fit", "fit/activity-unexpected-eof.fit"] {
            import(&app, &org_id, &athlete, &athlete.token, "broken.fit", &testdata(broken))
                .await
                .assert_problem(422, "malformed_file");
        }
        import(&app, &org_id, &athlete, &athlete.token, "notes.txt", b"\x00\x01 certainly not an activity")
            .await
            .assert_problem(422, "unsupported_format");
        import(&app, &org_id, &athlete, &athlete.token, "cut.gpx", &gpx[..gpx.len() / 2])
            .await
            .assert_problem(422, "malformed_file");
        import(&app, &org_id, &athlete, &athlete.token, "empty.gpx", b"   ").await.assert_problem(422, "empty_track");

        // Who: another athlete sees nothing; an assistant coach writes only for their own athletes.
        import(&app, &org_id, &athlete, &other.token, "a.gpx", &gpx).await.assert_problem(404, "not_found");
        import(&app, &org_id, &athlete, &coach.token, "a.gpx", &gpx).await.assert_problem(403, "not_assigned_to_you");
        let stranger = app.signup("stranger").await;
        import(&app, &org_id, &athlete, &stranger.token, "a.gpx", &gpx).await.assert_problem(404, "not_found");

        // The form.
        let path = member_path(&org_id, &athlete, "activities/import");
        let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
        post_raw(&app, &path, &athlete.token, "application/gpx+xml", gpx.clone())
            .await
            .assert_problem(415, "unsupported_media_type");
        let res = app.post(&path, &athlete.token, json!({"file": "x"})).await;
        res.assert_problem(415, "unsupported_media_type");
        let res = post_raw(&app, &path, &athlete.token, &multipart, form(&[("title", None, b"No file")])).await;
        res.assert_problem(400, "missing_field");
        assert_eq!(res.body["errors"][0]["field"], "file");
        let res = post_raw(
            &app,
            &path,
            &athlete.token,
            &multipart,
            form(&[("file", Some("a.gpx"), &gpx), ("x", None, b"1")]),
        )
        .await;
        res.assert_problem(400, "unknown_field");
        assert_eq!(res.body["errors"][0]["field"], "x");
        post_raw(&app, &path, &athlete.token, &multipart, b"no parts at all".to_vec())
            .await
            .assert_problem(400, "malformed_multipart");
        post_raw(&app, &path, &athlete.token, "multipart/form-data", form(&[("file", Some("a.gpx"), &gpx)]))
            .await
            .assert_problem(400, "malformed_multipart");
        let res = post_raw(
            &app,
            &path,
            &athlete.token,
            &multipart,
            form(&[("sport", None, b"kayak"), ("file", Some("a.gpx"), &gpx)]),
        )
        .await;
        res.assert_problem(422, "invalid_sport");
        assert_eq!(res.body["errors"][0]["field"], "sport");
        let res = app.get(&member_path(&org_id, &athlete, "activities"), &athlete.token).await;
        assert_eq!(res.assert_status(200)["data"], json!([]), "nothing was stored");
    }
}

#[tokio::test]
async fn files_over_20_mib_are_refused_with_413() {
    for app in apps().await {
        let (_head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        // One byte over the file limit, inside the body's room for the form.
        let big = vec![b' '; roster_import::MAX_FILE_BYTES + 1];
        import(&app, &org_id, &athlete, &athlete.token, "big.gpx", &big).await.assert_problem(413, "payload_too_large");
        // A body over the body limit.
        let huge = vec![b' '; roster_import::MAX_FILE_BYTES + 128 * 1024];
        import(&app, &org_id, &athlete, &athlete.token, "huge.gpx", &huge)
            .await
            .assert_problem(413, "payload_too_large");
    }
}
