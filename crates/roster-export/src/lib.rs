//! # roster-export
//!
//! A person's data export as a ZIP streamed while it is written: the API's
//! `GET /me/export` and the console's **Account → Export my data** serve the
//! same archive from here. Who may start one is the domain's rule
//! (`services::privacy::authorize_export`); what it holds is the store's
//! [`PrivacyRepo`] answer.
//!
//! A blocking task reads the account's data page by page (each page on a
//! connection of its own, so a slow download never holds one) and writes the
//! archive into a [`ChunkSink`], which hands each finished file's bytes to
//! the response through a small bounded channel: memory holds about one file
//! of the archive, whatever the number of activities.

use actix_web::HttpResponse;
use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header;
use actix_web::web::Bytes;
use chrono::NaiveDate;
use roster_domain::UserId;
use roster_domain::privacy::{ExportRows, PrivacyRepo};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// Rows per file for activities and audit events: each file is compressed
/// in memory before it is sent, so this bounds the export's memory.
const ROWS_PER_FILE: u32 = 1000;
/// Chunks (finished files) waiting for the client before the writer waits.
const CHANNEL_DEPTH: usize = 2;

type Chunk = Result<Bytes, io::Error>;

/// The archive's bytes since the last finished file; the ZIP writer seeks
/// back into them (a file's header is completed when the file ends), and
/// `flush` (called by the ZIP writer after each file) sends them on.
#[derive(Debug)]
pub struct ChunkSink {
    tx: mpsc::Sender<Chunk>,
    /// Bytes already sent.
    sent: u64,
    buf: Vec<u8>,
    pos: u64,
}

impl ChunkSink {
    fn new(tx: mpsc::Sender<Chunk>) -> Self {
        Self { tx, sent: 0, buf: Vec::new(), pos: 0 }
    }

    fn end(&self) -> u64 {
        self.sent + self.buf.len() as u64
    }
}

impl Write for ChunkSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let at = usize::try_from(self.pos - self.sent).map_err(io::Error::other)?;
        let overlap = self.buf.len().saturating_sub(at).min(data.len());
        self.buf[at..at + overlap].copy_from_slice(&data[..overlap]);
        self.buf.extend_from_slice(&data[overlap..]);
        self.pos += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // Only at the end of what was written: nothing before it is rewritten.
        if self.buf.is_empty() || self.pos != self.end() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.sent += chunk.len() as u64;
        self.tx.blocking_send(Ok(chunk)).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// The ZIP writer asks for `Read` to allow copying files already written;
/// the export never does, and their bytes are gone anyway.
impl Read for ChunkSink {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "the archive is write-only"))
    }
}

impl Seek for ChunkSink {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.end().checked_add_signed(d),
        };
        match target {
            Some(p) if p >= self.sent && p <= self.end() => {
                self.pos = p;
                Ok(p)
            }
            _ => Err(io::Error::new(io::ErrorKind::InvalidInput, "seek outside the unsent part of the archive")),
        }
    }
}

/// The response body: the chunks as the writer sends them.
#[derive(Debug)]
pub struct ExportBody {
    rx: mpsc::Receiver<Chunk>,
}

impl MessageBody for ExportBody {
    type Error = io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

const README: &str = "Your data on roster, as JSON (UTF-8, times in UTC).\n\n\
account.json            your account\n\
memberships.json        your clubs, roles and dates, what each club records about you (display name, member\n\
                        level, status, labels), and whether a coach holds private notes about you (not their text)\n\
plan_assignments.json   the training plans given to you, each with its plan and its workout changes\n\
race_goals.json         your race goals\n\
zones.json              your heart-rate and pace zones\n\
integrations.json       your connected services (roster keeps no tokens)\n\
activities/NNNN.json    your activities, 1000 a file, oldest first\n\
audit_events/NNNN.json  what you did, and what was done about you; an event about another account shows\n\
                        neither that account nor its details\n";

/// The download: `200` with the archive streamed as it is written, named
/// for `today` (`roster-export-YYYY-MM-DD.zip`) and never cached.
pub fn download<R: PrivacyRepo + Send + 'static>(store: R, user_id: UserId, today: NaiveDate) -> HttpResponse {
    let name = format!("roster-export-{}.zip", today.format("%Y-%m-%d"));
    HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(start(store, user_id))
}

/// Starts writing `user_id`'s export on a blocking thread; the body streams it.
fn start<R: PrivacyRepo + Send + 'static>(store: R, user_id: UserId) -> ExportBody {
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let errors = tx.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = write(&store, user_id, ChunkSink::new(tx)) {
            tracing::warn!(error = %e, user_id = %user_id, "export: stopped");
            // The client sees the download fail instead of a short archive.
            let _ = errors.blocking_send(Err(e));
        }
    });
    ExportBody { rx }
}

fn failed(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Writes the whole archive into `sink`.
pub fn write(store: &impl PrivacyRepo, user_id: UserId, sink: ChunkSink) -> io::Result<()> {
    let mut zip = ZipWriter::new(sink);
    zip.set_flush_on_finish_file(true);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("README.txt", options).map_err(failed)?;
    zip.write_all(README.as_bytes())?;
    for doc in store.export_documents(user_id).map_err(failed)? {
        zip.start_file(doc.name, options).map_err(failed)?;
        serde_json::to_writer_pretty(&mut zip, &doc.body)?;
    }
    for (kind, folder) in [(ExportRows::Activities, "activities"), (ExportRows::AuditEvents, "audit_events")] {
        let mut after = None;
        for n in 1.. {
            let page = store.export_page(user_id, kind, after, ROWS_PER_FILE).map_err(failed)?;
            zip.start_file(format!("{folder}/{n:04}.json"), options).map_err(failed)?;
            serde_json::to_writer_pretty(&mut zip, &page.rows)?;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    let mut sink = zip.finish().map_err(failed)?;
    sink.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_rewrites_unsent_bytes_and_sends_on_flush() {
        let (tx, mut rx) = mpsc::channel(4);
        let mut sink = ChunkSink::new(tx);
        sink.write_all(b"header..body").unwrap();
        sink.seek(SeekFrom::Start(0)).unwrap();
        sink.write_all(b"HEADER").unwrap();
        // Not at the end: nothing is sent yet.
        sink.flush().unwrap();
        assert!(rx.try_recv().is_err());
        sink.seek(SeekFrom::End(0)).unwrap();
        sink.flush().unwrap();
        assert_eq!(rx.try_recv().unwrap().unwrap(), Bytes::from_static(b"HEADER..body"));
        // What was sent cannot be sought back into.
        assert!(sink.seek(SeekFrom::Start(3)).is_err());
        sink.write_all(b"more").unwrap();
        assert_eq!(sink.stream_position().unwrap(), 16);
    }

    #[test]
    fn a_gone_client_stops_the_writer() {
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let mut sink = ChunkSink::new(tx);
        sink.write_all(b"x").unwrap();
        assert_eq!(sink.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
