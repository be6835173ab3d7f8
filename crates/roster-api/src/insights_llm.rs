//! Optional insights from an OpenAI-compatible chat-completions endpoint.
//!
//! Used only when `insights.base_url` and `insights.model` are set. The
//! model gets the default provider's sentences with their numbers and is
//! asked to rewrite them as JSON; on any failure (connection, timeout,
//! status, a reply that is not the JSON asked for) the default sentences are
//! returned unchanged, so the profile never fails because of it.
//!
//! The HTTP client is blocking (the profile use case runs on the blocking
//! pool) and is built on first use, off the async runtime.

use crate::settings::InsightsSettings;
use roster_domain::insights::{DefaultInsights, Insight, InsightInput, InsightProvider};
use serde::Deserialize;
use serde_json::json;
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

/// The most bytes read from a reply.
const MAX_REPLY_BYTES: u64 = 256 * 1024;
/// The most insights taken from a reply.
const MAX_INSIGHTS: usize = 6;
/// The longest insight text taken from a reply, in characters.
const MAX_TEXT_CHARS: usize = 300;

const SYSTEM_PROMPT: &str = "You help an endurance coach scan an athlete's training. You get facts as JSON: \
    [{kind, text, data}]. Rewrite them as short, specific sentences for the coach (at most 25 words each), \
    using only the numbers given; keep each fact's kind. Reply with JSON only, no prose: \
    {\"insights\": [{\"kind\": \"...\", \"text\": \"...\"}]}";

/// Why the endpoint gave nothing usable (logged, then the fallback is used).
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// Connection, timeout or status.
    #[error("request failed: {0}")]
    Http(String),
    /// The reply is not the JSON asked for.
    #[error("unusable reply: {0}")]
    Reply(String),
}

/// Insights rewritten by a language model, falling back to [`DefaultInsights`].
pub struct LlmInsights {
    url: String,
    model: String,
    api_key: Option<String>,
    timeout: Duration,
    client: OnceLock<Result<reqwest::blocking::Client, String>>,
    fallback: DefaultInsights,
}

impl fmt::Debug for LlmInsights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmInsights")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl LlmInsights {
    /// The provider the settings describe; `None` unless `base_url` and `model` are set (and not blank).
    pub fn from_settings(settings: &InsightsSettings) -> Option<Self> {
        let base_url = settings.base_url.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        let model = settings.model.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        Some(Self {
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_owned(),
            api_key: settings.api_key.clone().filter(|k| !k.trim().is_empty()),
            timeout: Duration::from_millis(settings.timeout_ms.max(1)),
            client: OnceLock::new(),
            fallback: DefaultInsights::default(),
        })
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, LlmError> {
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(self.timeout)
                    .connect_timeout(self.timeout)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| LlmError::Http(e.clone()))
    }

    /// Asks the endpoint to rewrite `facts`.
    pub fn ask(&self, input: &InsightInput, facts: &[Insight]) -> Result<Vec<Insight>, LlmError> {
        let user = json!({
            "facts": facts,
            "goal_race": input.goal.as_ref().map(|g| json!({
                "race_name": g.race_name, "race_date": g.race_date, "distance_m": g.distance_m, "goal_time_s": g.goal_time_s,
            })),
        });
        let body = json!({
            "model": self.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user.to_string()},
            ],
        });
        let mut request = self.client()?.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().map_err(|e| LlmError::Http(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(LlmError::Http(format!("status {status}")));
        }
        let mut bytes = Vec::new();
        response.take(MAX_REPLY_BYTES).read_to_end(&mut bytes).map_err(|e| LlmError::Http(e.to_string()))?;
        parse_reply(&bytes, facts)
    }
}

impl InsightProvider for LlmInsights {
    fn insights(&self, input: &InsightInput) -> Vec<Insight> {
        let facts = self.fallback.insights(input);
        if facts.is_empty() {
            return facts;
        }
        match self.ask(input, &facts) {
            Ok(rewritten) => rewritten,
            Err(e) => {
                tracing::warn!(error = %e, "insights endpoint failed; using the built-in insights");
                facts
            }
        }
    }
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Suggested {
    Wrapped { insights: Vec<SuggestedInsight> },
    Bare(Vec<SuggestedInsight>),
}

#[derive(Deserialize)]
struct SuggestedInsight {
    kind: Option<String>,
    text: String,
}

/// Reads a chat-completions reply into insights; each keeps the data of the
/// fact of the same kind (a new kind gets `{"source": "llm"}`).
pub fn parse_reply(bytes: &[u8], facts: &[Insight]) -> Result<Vec<Insight>, LlmError> {
    let completion: Completion =
        serde_json::from_slice(bytes).map_err(|e| LlmError::Reply(format!("not a chat completion: {e}")))?;
    let content = completion
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message.content)
        .ok_or_else(|| LlmError::Reply("no message content".into()))?;
    let json = strip_fences(&content);
    let suggested = match serde_json::from_str::<Suggested>(json) {
        Ok(Suggested::Wrapped { insights } | Suggested::Bare(insights)) => insights,
        Err(e) => return Err(LlmError::Reply(format!("content is not the insights JSON: {e}"))),
    };
    let insights: Vec<Insight> = suggested
        .into_iter()
        .filter_map(|s| {
            let text = s.text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
                return None;
            }
            let kind = s
                .kind
                .filter(|k| !k.is_empty() && k.len() <= 40 && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                .unwrap_or_else(|| "llm".into());
            let data =
                facts.iter().find(|f| f.kind == kind).map_or_else(|| json!({"source": "llm"}), |f| f.data.clone());
            Some(Insight { kind, text, data })
        })
        .take(MAX_INSIGHTS)
        .collect();
    if insights.is_empty() {
        return Err(LlmError::Reply("no usable insight".into()));
    }
    Ok(insights)
}

/// The JSON inside a reply that may wrap it in a Markdown code fence.
fn strip_fences(content: &str) -> &str {
    let t = content.trim();
    let Some(rest) = t.strip_prefix("```") else { return t };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// The provider in force: the model when configured, else the built-in sentences.
#[derive(Debug)]
pub struct ConfiguredInsights {
    llm: Option<LlmInsights>,
    default: DefaultInsights,
}

impl ConfiguredInsights {
    /// From the `insights` settings.
    pub fn from_settings(settings: &InsightsSettings) -> Self {
        Self { llm: LlmInsights::from_settings(settings), default: DefaultInsights::default() }
    }

    /// Whether a model is configured.
    pub fn uses_llm(&self) -> bool {
        self.llm.is_some()
    }
}

impl InsightProvider for ConfiguredInsights {
    fn insights(&self, input: &InsightInput) -> Vec<Insight> {
        match &self.llm {
            Some(llm) => llm.insights(input),
            None => self.default.insights(input),
        }
    }
}

#[cfg(test)]
#[path = "insights_llm_tests.rs"]
mod tests;
