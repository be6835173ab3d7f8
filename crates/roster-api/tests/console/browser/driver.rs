//! The browser the journeys drive: chromedriver on a free port, a headless
//! Chromium session, and the checker every page passes (axe-core, then
//! screenshots at a laptop's and a phone's width).

use super::workspace;
use crate::support::TestApp;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// chromedriver on a free port, stopped when dropped.
pub(super) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub(super) async fn start_driver() -> Option<Driver> {
    if !installed("chromedriver") || !(installed("chromium") || std::path::Path::new("/usr/bin/chromium").exists()) {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
            return Some(driver);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

pub(super) async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium",
               "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800", "--hide-scrollbars"]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.expect("a Chromium session")
}

/// Checks every page the same way: axe-core, then the two screenshots.
pub(super) struct Checker {
    axe: String,
    pub(super) shots: Option<PathBuf>,
    pub(super) pages: Vec<String>,
}

impl Checker {
    pub(super) fn new(app: &TestApp) -> Self {
        let axe_path = workspace().join("node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path)
            .unwrap_or_else(|_| panic!("{} is missing: run `npm ci` in the repository", axe_path.display()));
        // Screenshots of the first backend only: the pages are the same.
        let shots = (app.backend == roster_store::testing::Backend::Sqlite).then(|| {
            let dir = workspace().join("target/screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            dir
        });
        Self { axe, shots, pages: Vec::new() }
    }

    pub(super) async fn check(&mut self, c: &Client, name: &str) {
        c.execute(&format!("{}\nreturn true;", self.axe), vec![]).await.unwrap();
        let found = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Vec<Value> = found.as_array().cloned().unwrap_or_default();
        assert!(violations.is_empty(), "axe on {name} ({}): {violations:#?}", c.current_url().await.unwrap());
        if let Some(dir) = &self.shots {
            for (w, h) in [(1280, 800), (390, 844)] {
                c.set_window_size(w, h).await.unwrap();
                let png = c.screenshot().await.unwrap();
                std::fs::write(dir.join(format!("{name}-{w}x{h}.png")), png).unwrap();
            }
            c.set_window_size(1280, 800).await.unwrap();
        }
        self.pages.push(name.to_owned());
    }
}
