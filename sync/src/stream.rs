//! Drives a [`Session`] over any byte stream (a QUIC stream, a pipe, a file, a USB link).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::frame::RefuseCode;
use crate::replica::Replica;
use crate::session::{Event, Output, Session, SessionError, Summary};

/// How long to spend flushing the last frames and waiting for the peer's end of stream after
/// a session closed.
const LINGER: Duration = Duration::from_secs(5);

/// Size of the read buffer, in bytes.
const READ_CHUNK: usize = 64 * 1024;

/// A sync session over a connection did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The peer could not be reached.
    #[error("could not connect to {peer}: {detail}")]
    Connect {
        /// The peer's endpoint id (text).
        peer: String,
        /// What the network layer reported.
        detail: String,
    },
    /// The session was refused, by the peer or by us.
    #[error("{}: {reason}", if *by_peer { "refused by the peer" } else { "refused the peer" })]
    Refused {
        /// `true` when the peer refused us.
        by_peer: bool,
        /// The refusal code, when it came in a `Refuse` frame (`None` for a connection close).
        code: Option<RefuseCode>,
        /// Sentence for the person (sanitized when it came from the peer).
        reason: String,
    },
    /// The session failed: bad data, timeout, or the connection was cut (see
    /// [`SyncError::is_cut`]).
    #[error(transparent)]
    Session(#[from] SessionError),
    /// We did not dial: the device is not a member of this book, or was revoked. Nothing was
    /// written to it (not even a hello, which would tell it the group id).
    #[error("{peer} is not a member of this book{}: nothing was sent", if *revoked { " (revoked)" } else { "" })]
    NotMember {
        /// The device's endpoint id (text).
        peer: String,
        /// `true` when it is listed but revoked.
        revoked: bool,
    },
    /// The book's lock was poisoned by a panic elsewhere.
    #[error("the book is unavailable: another task panicked while using it")]
    ReplicaUnavailable,
}

impl SyncError {
    /// Whether the connection was cut before the session finished (the next sync resumes).
    pub fn is_cut(&self) -> bool {
        matches!(self, SyncError::Session(SessionError::Cut { .. }))
    }

    /// The refusal sentence, when the session was refused.
    pub fn refusal_reason(&self) -> Option<&str> {
        match self {
            SyncError::Refused { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

pub(crate) fn lock<R: ?Sized>(replica: &Mutex<R>) -> Result<MutexGuard<'_, R>, SyncError> {
    replica.lock().map_err(|_| SyncError::ReplicaUnavailable)
}

/// Runs `session` over `reader`/`writer` until it closes, reading and writing concurrently.
///
/// `progress` sees every [`Event`] (progress and the final one). The replica is locked only
/// while the session handles data, never across an await. After the session closes, pending
/// frames are flushed and the writer is shut down; after a finished session the reader is
/// drained to its end (at most 5 s), so that the peer has finished too.
///
/// # Errors
/// [`SyncError::Refused`], [`SyncError::Session`] (including a cut stream and the idle
/// timeout) or [`SyncError::ReplicaUnavailable`].
pub async fn run_session<Rd, Wr, R>(
    reader: &mut Rd,
    writer: &mut Wr,
    session: &mut Session,
    replica: &Mutex<R>,
    mut progress: impl FnMut(Event),
) -> Result<Summary, SyncError>
where
    Rd: AsyncRead + Unpin + ?Sized,
    Wr: AsyncWrite + Unpin + ?Sized,
    R: Replica + ?Sized,
{
    let mut queue: VecDeque<Vec<u8>> = VecDeque::new();
    let mut offset = 0usize;
    let mut outcome: Option<Result<Summary, SyncError>> = None;
    let mut buf = vec![0u8; READ_CHUNK];

    let outs = session.start(Instant::now());
    absorb(outs, &mut queue, &mut outcome, &mut progress);

    while outcome.is_none() {
        let deadline = session.poll_timeout();
        let sleep = async move {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        let pending: &[u8] = queue.front().and_then(|b| b.get(offset..)).unwrap_or(&[]);
        let has_pending = !pending.is_empty();
        let outs = tokio::select! {
            r = reader.read(&mut buf) => {
                let mut guard = lock(replica)?;
                match r {
                    Ok(0) => session.handle_closed("the peer closed the stream", &mut *guard),
                    Ok(n) => session.handle_bytes(&buf[..n], &mut *guard, Instant::now()),
                    Err(e) => session.handle_closed(&format!("read failed: {e}"), &mut *guard),
                }
            }
            w = writer.write(pending), if has_pending => {
                match w {
                    Ok(n) if n > 0 => {
                        // Bytes leaving count as activity: a long send on a slow link
                        // with nothing coming back is not idle.
                        session.handle_transmitted(n, Instant::now());
                        progress(Event::Progress(session.progress()));
                        offset += n;
                        if queue.front().is_some_and(|b| offset >= b.len()) {
                            queue.pop_front();
                            offset = 0;
                        }
                        Vec::new()
                    }
                    Ok(_) => session.handle_closed("write failed: stream closed", &mut *lock(replica)?),
                    Err(e) => session.handle_closed(&format!("write failed: {e}"), &mut *lock(replica)?),
                }
            }
            () = sleep => session.handle_timeout(Instant::now(), &mut *lock(replica)?),
        };
        absorb(outs, &mut queue, &mut outcome, &mut progress);
    }

    let finished = matches!(outcome, Some(Ok(_)));
    let _ = tokio::time::timeout(LINGER, async {
        if let Some(first) = queue.pop_front() {
            writer.write_all(first.get(offset..).unwrap_or(&[])).await?;
        }
        for chunk in queue {
            writer.write_all(&chunk).await?;
        }
        writer.flush().await?;
        writer.shutdown().await?;
        if finished {
            while reader.read(&mut buf).await? > 0 {}
        }
        Ok::<(), std::io::Error>(())
    })
    .await;

    match outcome {
        Some(result) => result,
        // The loop only ends with an outcome; keep a defined answer anyway.
        None => Err(SyncError::Session(SessionError::Cut {
            bytes_sent: 0,
            bytes_received: 0,
            detail: "session ended without result".to_owned(),
        })),
    }
}

fn absorb(
    outs: Vec<Output>,
    queue: &mut VecDeque<Vec<u8>>,
    outcome: &mut Option<Result<Summary, SyncError>>,
    progress: &mut impl FnMut(Event),
) {
    for out in outs {
        match out {
            Output::Transmit(bytes) => queue.push_back(bytes),
            Output::Event(event) => {
                match &event {
                    Event::Progress(_) => {}
                    Event::Finished(summary) => *outcome = Some(Ok(*summary)),
                    Event::Refused {
                        by_peer,
                        code,
                        reason,
                    } => {
                        *outcome = Some(Err(SyncError::Refused {
                            by_peer: *by_peer,
                            code: Some(*code),
                            reason: reason.clone(),
                        }));
                    }
                    Event::Error(e) => *outcome = Some(Err(SyncError::Session(e.clone()))),
                }
                progress(event);
            }
        }
    }
}
