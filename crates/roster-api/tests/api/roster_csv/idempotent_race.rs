//! The same import sent many times at once with one `Idempotency-Key`:
//! one import runs, and every request answers its report.

use super::upload_with;
use crate::support::apps;
use futures_util::future::join_all;

#[tokio::test]
async fn concurrent_imports_with_one_key_all_answer_the_one_import() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let tag = roster_domain::UserId::new().to_string().replace('-', "");
        let csv: String = std::iter::once("email,first_name\n".to_owned())
            .chain((0..5).map(|i| format!("racer{i}.{tag}@example.com,Racer\n")))
            .collect();
        let key = [("Idempotency-Key", "same-key")];
        let fields = [("mode", "upsert")];
        let runs = (0..8).map(|_| upload_with(&app, &org_id, &head.token, csv.as_bytes(), &fields, &key));
        let answers = join_all(runs).await;
        let ids: Vec<_> = answers
            .iter()
            .map(|res| {
                assert_eq!(res.status, 201, "{:?}: {}", app.backend, res.text);
                res.body["import_id"].clone()
            })
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0] && id.is_string()), "{:?}: {ids:?}", app.backend);
    }
}
