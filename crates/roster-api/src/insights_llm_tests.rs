//! Against a fake chat-completions server on 127.0.0.1:0: a std listener
//! that answers one request with a canned reply (optionally after a delay)
//! and hands the request it got back to the test.

use super::*;
use chrono::{DateTime, Duration as Days, Utc};
use roster_domain::Sport;
use roster_domain::insights::{InsightActivity, InsightGoal};
use roster_domain::training::fill_weeks;
use std::io::Write;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

struct Request {
    head: String,
    body: serde_json::Value,
}

/// Serves one request: replies `status` with `body` after `delay`.
fn fake_server(status: u16, body: String, delay: Duration) -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else { return };
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let (head, body_start) = loop {
            let Ok(n) = stream.read(&mut chunk) else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break (String::from_utf8_lossy(&buf[..i]).to_string(), i + 4);
            }
        };
        let length = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
            .unwrap_or(0usize);
        while buf.len() < body_start + length {
            let Ok(n) = stream.read(&mut chunk) else { return };
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let request_body = serde_json::from_slice(&buf[body_start..]).unwrap_or(serde_json::Value::Null);
        tx.send(Request { head, body: request_body }).ok();
        thread::sleep(delay);
        let reply = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(reply.as_bytes()).ok();
    });
    (base_url, rx)
}

fn settings(base_url: &str, timeout_ms: u64) -> InsightsSettings {
    InsightsSettings {
        base_url: Some(base_url.into()),
        model: Some("tiny-coach".into()),
        api_key: Some("sk-test".into()),
        timeout_ms,
    }
}

fn now() -> DateTime<Utc> {
    "2026-12-02T12:00:00Z".parse().unwrap()
}

/// An athlete with enough data for all four default insights.
fn input() -> InsightInput {
    let mut weekly = fill_weeks(&[], now().date_naive(), 6);
    for (i, w) in weekly.iter_mut().enumerate() {
        w.distance_m = 10_000.0 * (i as f64 + 1.0);
        w.activity_count = 2;
    }
    InsightInput {
        now: now(),
        weekly,
        recent_activities: vec![InsightActivity {
            sport: Sport::Run,
            start_time: now() - Days::days(2),
            distance_m: 16_000.0,
            duration_s: 5400,
        }],
        goal: Some(InsightGoal {
            race_name: "Spring Half".into(),
            race_date: "2027-03-14".parse().unwrap(),
            distance_m: 21_097.5,
            goal_time_s: Some(6300),
        }),
    }
}

fn completion(content: &str) -> String {
    json!({"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]})
        .to_string()
}

fn defaults() -> Vec<Insight> {
    DefaultInsights::default().insights(&input())
}

#[test]
fn a_good_reply_replaces_the_default_sentences_and_keeps_their_data() {
    let content = r#"```json
{"insights": [{"kind": "weekly_trend", "text": "Big week: 60 km, well above the usual 35 km."},
              {"kind": "race_pace", "text": "On track for the Spring Half."},
              {"kind": "Bad Kind!", "text": "A new observation."},
              {"kind": "longest_run", "text": ""}]}
```"#;
    let (base_url, requests) = fake_server(200, completion(content), Duration::ZERO);
    let provider = ConfiguredInsights::from_settings(&settings(&base_url, 2000));
    assert!(provider.uses_llm());
    let got = provider.insights(&input());
    let kinds: Vec<&str> = got.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(kinds, ["weekly_trend", "race_pace", "llm"], "empty texts are dropped, bad kinds renamed");
    assert_eq!(got[0].text, "Big week: 60 km, well above the usual 35 km.");
    let facts = defaults();
    assert_eq!(got[0].data, facts[0].data, "the numbers behind it stay the default provider's");
    assert_eq!(got[2].data, json!({"source": "llm"}));

    let request = requests.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(request.head.starts_with("POST /v1/chat/completions HTTP/1.1"), "{}", request.head);
    assert!(request.head.to_ascii_lowercase().contains("authorization: bearer sk-test"));
    assert_eq!(request.body["model"], "tiny-coach");
    let user = request.body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("weekly_trend") && user.contains("Spring Half"), "{user}");
}

#[test]
fn a_timeout_falls_back_to_the_default_sentences() {
    let (base_url, _requests) = fake_server(200, completion("[]"), Duration::from_millis(1500));
    let provider = ConfiguredInsights::from_settings(&settings(&base_url, 200));
    let started = std::time::Instant::now();
    assert_eq!(provider.insights(&input()), defaults());
    assert!(started.elapsed() < Duration::from_millis(1200), "took {:?}", started.elapsed());
}

#[test]
fn garbage_falls_back_to_the_default_sentences() {
    for reply in [
        "this is not json".to_string(),
        completion("Sure! Here are some insights: the athlete is doing great."),
        completion(r#"{"insights": []}"#),
        json!({"choices": []}).to_string(),
    ] {
        let (base_url, _requests) = fake_server(200, reply.clone(), Duration::ZERO);
        let provider = ConfiguredInsights::from_settings(&settings(&base_url, 2000));
        assert_eq!(provider.insights(&input()), defaults(), "{reply}");
    }
}

#[test]
fn an_error_status_or_no_server_falls_back() {
    let (base_url, _requests) = fake_server(500, completion(r#"[{"kind":"x","text":"y"}]"#), Duration::ZERO);
    assert_eq!(ConfiguredInsights::from_settings(&settings(&base_url, 2000)).insights(&input()), defaults());
    // A port nobody listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", l.local_addr().unwrap())
    };
    assert_eq!(ConfiguredInsights::from_settings(&settings(&closed, 2000)).insights(&input()), defaults());
}

#[test]
fn unconfigured_means_the_default_provider_without_any_request() {
    let provider = ConfiguredInsights::from_settings(&InsightsSettings::default());
    assert!(!provider.uses_llm());
    assert_eq!(provider.insights(&input()), defaults());
    let blank =
        InsightsSettings { base_url: Some("  ".into()), model: Some("m".into()), ..InsightsSettings::default() };
    assert!(!ConfiguredInsights::from_settings(&blank).uses_llm());
    let debug = format!("{:?}", LlmInsights::from_settings(&settings("http://h/v1/", 10)).unwrap());
    assert!(debug.contains("http://h/v1/chat/completions") && !debug.contains("sk-test"), "{debug}");
}

#[test]
fn a_bare_array_reply_is_accepted() {
    let got = parse_reply(completion(r#"[{"text": "  Steady   weeks.  "}]"#).as_bytes(), &defaults()).unwrap();
    assert_eq!((got[0].kind.as_str(), got[0].text.as_str()), ("llm", "Steady weeks."));
}
