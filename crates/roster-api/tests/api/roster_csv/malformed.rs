use super::{error_codes, member, outcomes, upload};
use crate::profile::post_raw;
use crate::support::apps;
use serde_json::json;

#[tokio::test]
async fn bad_files_get_clear_answers() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let athlete = app.athlete(&org_id, None).await;
        let token = head.token.as_str();
        let email = athlete.email.as_str();
        let check = |res: crate::support::Resp, status: u16, code: &str| {
            res.assert_problem(status, code);
            if status == 422 {
                assert_eq!(res.body["errors"][0]["field"], "file", "{}", res.text);
            }
        };

        // Another encoding: UTF-16, and Latin-1 (the line is named).
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("email\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        check(upload(&app, &org_id, token, &utf16, &[]).await, 422, "unsupported_encoding");
        let latin1 = [format!("email,display_name\n{email},").as_bytes(), b"Jos\xE9\n"].concat();
        let res = upload(&app, &org_id, token, &latin1, &[]).await;
        assert!(res.body["detail"].as_str().unwrap().contains("Line 2"), "{}", res.text);
        check(res, 422, "unsupported_encoding");

        // Ragged rows name their line.
        let ragged = format!("email,display_name\n{email},A,extra\n");
        let res = upload(&app, &org_id, token, ragged.as_bytes(), &[]).await;
        assert!(res.body["detail"].as_str().unwrap().contains("Line 2 has 3 cells"), "{}", res.text);
        check(res, 422, "ragged_row");

        // Empty files: nothing, a BOM alone, a header alone.
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"email,labels\r\n"] {
            check(upload(&app, &org_id, token, empty, &[]).await, 422, "empty_file");
        }

        // Header problems.
        let unknown = format!("email,nickname\n{email},x\n");
        let res = upload(&app, &org_id, token, unknown.as_bytes(), &[]).await;
        res.assert_problem(422, "unknown_column");
        assert_eq!(res.body["errors"][0]["field"], "nickname");
        let res = upload(&app, &org_id, token, b"display_name\nx\n", &[]).await;
        assert_eq!(res.body["errors"][0]["code"], "missing_column", "{}", res.text);
        let res = upload(&app, &org_id, token, format!("email,email\n{email},{email}\n").as_bytes(), &[]).await;
        assert_eq!(res.body["errors"][0]["code"], "duplicate_column", "{}", res.text);

        // Too big: 10 MB, and more than 5 000 rows.
        let big = vec![b'a'; 10 * 1024 * 1024];
        upload(&app, &org_id, token, &big, &[]).await.assert_problem(413, "payload_too_large");
        let file_only = vec![b'a'; 5 * 1024 * 1024 + 1];
        upload(&app, &org_id, token, &file_only, &[]).await.assert_problem(413, "file_too_large");
        let many = format!("email\n{}", "x@example.com\n".repeat(5_001));
        check(upload(&app, &org_id, token, many.as_bytes(), &[]).await, 422, "too_many_rows");

        // Not a form, or no file.
        let path = format!("/api/v1/organizations/{org_id}/imports");
        post_raw(&app, &path, token, "text/csv", b"email\n".to_vec())
            .await
            .assert_problem(415, "unsupported_media_type");
        let form = crate::profile::form(&[("mode", None, b"upsert")]);
        let content_type = format!("multipart/form-data; boundary={}", crate::profile::BOUNDARY);
        post_raw(&app, &path, token, &content_type, form).await.assert_problem(400, "missing_field");

        // Duplicate e-mails in one file (any case): the later rows are refused.
        let dupes = format!("email,display_name\n{email},One\n{},Two\n", email.to_uppercase());
        let res = upload(&app, &org_id, token, dupes.as_bytes(), &[("dry_run", "true")]).await;
        assert_eq!(error_codes(res.assert_status(200)), ["", "duplicate_email"], "{:?}", app.backend);

        // What is fine: a BOM, CRLF, quotes and line breaks inside quoted cells, blank cells.
        let fine = [
            b"\xEF\xBB\xBF".as_slice(),
            format!("email,display_name,private_notes,member_level\r\n{email},\"Jo \"\"JJ\"\" Smith\",\"line one\r\nline two\",\r\n")
                .as_bytes(),
        ]
        .concat();
        let res = upload(&app, &org_id, token, &fine, &[]).await;
        assert_eq!(outcomes(res.assert_status(201)), ["update"], "{}", res.text);
        let view = member(&app, &org_id, token, &athlete).await;
        assert_eq!(view["display_name"], "Jo \"JJ\" Smith");
        assert_eq!(view["private_notes"], json!("line one\nline two"));
        assert!(view["member_level"].is_null(), "an empty cell leaves the field");
    }
}
