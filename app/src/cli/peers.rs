//! Peers: `rukun serve`, `join`, `sync`, `members`, `revoke`.
//!
//! Every command binds an offline iroh endpoint (no relay, no port mapping, no internet
//! address lookup) on `--bind` (default `0.0.0.0:0`, every interface, for a phone hotspot's
//! LAN) and makes no outbound connection until the person syncs or joins. mDNS discovery is
//! opt-in with `--discover`.
//!
//! Slightly over 500 lines: the five peer commands share the endpoint setup, the progress
//! printer and the refusal messages kept here.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use rukun_model::{
    Book, Device, MemberId, MemberStatus, Role,
    storage::{BookStore, NewBookKey},
};
use rukun_sync::{
    BookReplica, EndpointTicket, Event, InviteInput, JoinGroupError, JoinOptions, JoinReport, Node,
    NodeConfig, NodeEvent, SessionReport, ShortCode, Summary, SyncError, join_group_with,
};

use super::{kdf_params, open_book, passphrase};

/// Exit status when the peer refused us (not a member, revoked, invite refused…).
const EXIT_REFUSED: u8 = 4;
/// Exit status when the connection was cut before the books were equal (sync again).
const EXIT_CUT: u8 = 5;

/// Default bind address: every interface, a port chosen by the system.
const DEFAULT_BIND: &str = "0.0.0.0:0";

#[derive(Debug, Subcommand)]
pub(super) enum PeerCommand {
    /// Serve this book to the group's members on the network until Ctrl-C (SIGINT) or SIGTERM.
    /// Prints `ticket <endpoint-ticket>` first, `invite <invite-ticket>` when asked (also as a
    /// QR code on stderr), then one line per finished session.
    Serve {
        /// Address to listen on (e.g. 0.0.0.0:7070; tests use 127.0.0.1:0).
        #[arg(long, default_value = DEFAULT_BIND)]
        bind: SocketAddr,
        /// Also create a one-time invite for a new member with this role
        /// (admin, bendahara, ketua_rt, relawan).
        #[arg(long, value_name = "ROLE")]
        invite: Option<String>,
        /// Hours the invite stays valid.
        #[arg(long, default_value_t = 24)]
        invite_hours: u64,
        /// Announce this device on the local network (mDNS), so members can sync by member id.
        #[arg(long)]
        discover: bool,
    },
    /// Join a group with an invite: creates this device's copy of the group's book in the
    /// (empty) book folder.
    Join {
        /// The invite ticket (`rukuninvite…`) or its short code (`RKN-XXXX-YYYY`, with
        /// `--discover`) shown by an admin's app or `rukun serve --invite`.
        ticket: String,
        /// Your name as the group will see it.
        #[arg(long)]
        name: Option<String>,
        /// Address to bind locally.
        #[arg(long, default_value = DEFAULT_BIND)]
        bind: SocketAddr,
        /// Find the inviter of a short code on the local network (mDNS).
        #[arg(long)]
        discover: bool,
    },
    /// Sync once with a member and print what was sent and received.
    Sync {
        /// The member's ticket (`rukunpeer…`), or its member id (64 hex) with `--discover`.
        target: String,
        /// Address to bind locally.
        #[arg(long, default_value = DEFAULT_BIND)]
        bind: SocketAddr,
        /// Find the member's address on the local network (mDNS).
        #[arg(long)]
        discover: bool,
    },
    /// Look for the group's members on this Wi-Fi or hotspot (mDNS) for a few seconds and
    /// list those found, with role and when this device last synced with each. Devices
    /// that are not members of this book are counted, never listed.
    Nearby {
        /// Seconds to look.
        #[arg(long, default_value_t = 5)]
        wait: u64,
        /// Address to bind locally.
        #[arg(long, default_value = DEFAULT_BIND)]
        bind: SocketAddr,
    },
    /// List the group's members with their status (member, revoked).
    Members {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a member's device (a lost phone): no device that has heard of it syncs with it.
    Revoke {
        /// The member id (64 hex characters, see `rukun members`).
        member_id: String,
        /// Why (kept in the book).
        #[arg(long, default_value = "")]
        reason: String,
    },
}

/// Runs a peer command on the book folder `dir`.
pub(super) fn run(dir: &Path, fast_kdf: bool, command: PeerCommand) -> Result<ExitCode> {
    match command {
        PeerCommand::Serve {
            bind,
            invite,
            invite_hours,
            discover,
        } => {
            let role = invite
                .map(|r| {
                    Role::parse(&r).ok_or_else(|| {
                        anyhow!(
                            "--invite: unknown role {r:?} (admin, bendahara, ketua_rt, relawan)"
                        )
                    })
                })
                .transpose()?;
            let book = open_book(dir)?;
            runtime()?.block_on(serve(book, bind, role, invite_hours, discover))
        }
        PeerCommand::Join {
            ticket,
            name,
            bind,
            discover,
        } => {
            let invite: InviteInput = ticket.parse().context("the invite ticket or code")?;
            if matches!(invite, InviteInput::Code(_)) && !discover {
                bail!(
                    "a short code has no address: add --discover to find the inviter on the local network, or pass the invite ticket"
                );
            }
            let mut options = JoinOptions::new(bind);
            options.discover = discover;
            runtime()?.block_on(join(dir, fast_kdf, invite, name, options))
        }
        PeerCommand::Sync {
            target,
            bind,
            discover,
        } => {
            let ticket = parse_target(&target, discover)?;
            let book = open_book(dir)?;
            runtime()?.block_on(sync_once(book, ticket, bind, discover))
        }
        PeerCommand::Nearby { wait, bind } => {
            let book = open_book(dir)?;
            runtime()?.block_on(nearby(book, bind, Duration::from_secs(wait)))
        }
        PeerCommand::Members { json } => members(dir, json),
        PeerCommand::Revoke { member_id, reason } => {
            let id = MemberId::parse(&member_id)
                .ok_or_else(|| anyhow!("{member_id:?} is not a member id (64 hex characters)"))?;
            let mut book = open_book(dir)?;
            // The model holds the rules: admins only, never this device itself.
            book.revoke_member(&id, &reason)?;
            println!("revoked {id}");
            eprintln!("The revocation reaches other devices when they sync with this one.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the network runtime")
}

fn parse_target(target: &str, discover: bool) -> Result<EndpointTicket> {
    if let Some(id) = MemberId::parse(target) {
        if !discover {
            bail!(
                "a member id alone has no address: pass its ticket, or add --discover to find it on the local network"
            );
        }
        return EndpointTicket::for_id(&id.to_bytes()).map_err(|e| anyhow!("{target}: {e}"));
    }
    target.parse().context("the peer's ticket")
}

fn line(text: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn short(peer: &[u8; 32]) -> String {
    MemberId::from_bytes(peer).to_string()
}

fn summary_text(s: &Summary) -> String {
    format!(
        "sent {} changes ({} bytes), received {} changes ({} bytes)",
        s.changes_sent, s.bytes_sent, s.changes_received, s.bytes_received
    )
}

fn session_line(r: &SessionReport) -> String {
    let peer = short(&r.peer);
    match &r.result {
        Ok(s) => format!("synced {peer} {}", summary_text(s)),
        Err(e) if e.is_cut() => format!("cut {peer} {e}"),
        Err(e @ SyncError::NotMember { .. }) => format!("refused {peer} {e}"),
        Err(SyncError::Refused {
            by_peer: false,
            reason,
            ..
        }) => format!("refused {peer} {reason}"),
        Err(e) => format!("failed {peer} {e}"),
    }
}

fn join_line(r: &JoinReport) -> String {
    let peer = short(&r.peer);
    match &r.result {
        Ok(m) => format!("joined {peer} {} as {}", m.name, m.grant.role),
        Err(e) => format!("join-refused {peer} {e}"),
    }
}

fn qr_to_stderr(text: &str) {
    match qrcode::QrCode::new(text.to_ascii_uppercase().as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<qrcode::render::unicode::Dense1x2>()
                .dark_color(qrcode::render::unicode::Dense1x2::Light)
                .light_color(qrcode::render::unicode::Dense1x2::Dark)
                .build();
            eprintln!("{image}");
        }
        Err(e) => eprintln!("(no QR code: {e})"),
    }
}

async fn serve(
    book: Book,
    bind: SocketAddr,
    invite_role: Option<Role>,
    invite_hours: u64,
    discover: bool,
) -> Result<ExitCode> {
    if invite_role.is_some() {
        book.require_admin("invite a member")?;
    }
    let group = book.group()?;
    // Listen for the signals before printing anything: a script may stop us at once.
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let mut config = NodeConfig::new(bind);
    config.discover = discover;
    let mut node = Node::spawn(BookReplica::new(book), config).await?;
    let ticket = node.ticket();
    line(&format!("ticket {ticket}"));
    if let Some(role) = invite_role {
        let valid = Duration::from_secs(invite_hours.saturating_mul(3600));
        let invite = node.create_invite(role, valid)?;
        line(&format!("invite {invite}"));
        line(&format!("code {}", ShortCode::for_invite(&invite)));
        eprintln!(
            "Undangan sekali pakai untuk \"{}\" sebagai {} (berlaku {invite_hours} jam). Pindai atau salin:",
            group.name,
            role.as_str()
        );
        qr_to_stderr(&invite.to_string());
    }
    eprintln!(
        "Melayani buku \"{}\" di {}{}. Ctrl-C untuk berhenti.",
        group.name,
        node.endpoint()
            .bound_sockets()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        if node.discovering() {
            " (mDNS aktif)"
        } else {
            ""
        }
    );
    loop {
        tokio::select! {
            _ = int.recv() => break,
            _ = term.recv() => break,
            ev = node.next_event() => match ev {
                Some(NodeEvent::Synced(r)) => line(&session_line(&r)),
                Some(NodeEvent::Joined(r)) => line(&join_line(&r)),
                Some(NodeEvent::Progress { .. } | NodeEvent::NearbyChanged) => {}
                None => break,
            },
        }
    }
    eprintln!("stopping…");
    node.shutdown().await?;
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// `rukun nearby`: one line per member found (`member <id> <role> <name>, last synced
/// <time|never>`), then how many devices nearby were not members.
async fn nearby(book: Book, bind: SocketAddr, wait: Duration) -> Result<ExitCode> {
    let members = book.members();
    let mut config = NodeConfig::new(bind);
    config.discover = true;
    let mut node = Node::spawn(BookReplica::new(book), config).await?;
    eprintln!(
        "Mencari anggota di jaringan ini ({} detik)…",
        wait.as_secs()
    );
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => break,
            ev = node.next_event() => if ev.is_none() { break },
        }
    }
    let found = node.nearby_members();
    let strangers = node.nearby().len().saturating_sub(found.len());
    let mut lines = Vec::new();
    if let Ok(guard) = node.replica().lock() {
        for addr in &found {
            let id = MemberId::from_bytes(addr.id.as_bytes());
            let Some((_, m)) = members.iter().find(|(mid, _)| mid == &id) else {
                continue;
            };
            let last = guard
                .book()
                .last_synced(&id)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_else(|| "never".to_owned());
            lines.push(format!(
                "member {id} {} {}, last synced {last}",
                m.role, m.name
            ));
        }
    }
    node.shutdown().await?;
    for l in &lines {
        line(l);
    }
    line(&format!("{strangers} other devices nearby are not members"));
    Ok(ExitCode::SUCCESS)
}

fn progress_printer() -> impl FnMut(Event) {
    let verbose = std::io::IsTerminal::is_terminal(&std::io::stderr());
    move |e| {
        if let Event::Progress(p) = e
            && verbose
        {
            eprint!(
                "\r{} changes received, {} sent; {} / {} bytes sent / received   ",
                p.changes_received, p.changes_sent, p.bytes_sent, p.bytes_received
            );
        }
    }
}

async fn sync_once(
    book: Book,
    ticket: EndpointTicket,
    bind: SocketAddr,
    discover: bool,
) -> Result<ExitCode> {
    let mut config = NodeConfig::new(bind);
    config.discover = discover;
    let node = Node::spawn(BookReplica::new(book), config).await?;
    let result = node
        .sync_with(ticket.addr().clone(), progress_printer())
        .await;
    node.shutdown().await?;
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!();
    }
    match result {
        Ok(s) => {
            line(&format!(
                "sent {} changes ({} bytes)",
                s.changes_sent, s.bytes_sent
            ));
            line(&format!(
                "received {} changes ({} bytes)",
                s.changes_received, s.bytes_received
            ));
            line(&format!("in sync with {}", ticket.id()));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_cut() => {
            eprintln!("rukun: {e}");
            eprintln!(
                "rukun: the connection was cut; nothing is lost: run `rukun sync` again to resume"
            );
            Ok(ExitCode::from(EXIT_CUT))
        }
        Err(SyncError::Refused {
            by_peer: true,
            reason,
            ..
        }) => {
            eprintln!("rukun: refused by the peer: {reason}");
            Ok(ExitCode::from(EXIT_REFUSED))
        }
        Err(e @ SyncError::NotMember { .. }) => {
            eprintln!("rukun: {e}");
            eprintln!(
                "rukun: sync only with the group's members; a new member's device is known after syncing with the device that invited it"
            );
            Ok(ExitCode::from(EXIT_REFUSED))
        }
        Err(e) => Err(e.into()),
    }
}

async fn join(
    dir: &Path,
    fast_kdf: bool,
    invite: InviteInput,
    name: Option<String>,
    options: JoinOptions,
) -> Result<ExitCode> {
    if BookStore::exists(dir) {
        // Say which group is there before spending the invite.
        let book = open_book(dir)?;
        let g = book.group()?;
        if matches!(&invite, InviteInput::Ticket(t) if t.group_id == g.id) {
            bail!(
                "{} already holds this group's book (\"{}\"): use `rukun sync` instead of joining",
                dir.display(),
                g.name
            );
        }
        bail!(
            "{} already holds the book of another group (\"{}\", {}); choose an empty folder with --book",
            dir.display(),
            g.name,
            g.id
        );
    }
    let pass = passphrase(true)?;
    // Before the invite is redeemed: a refused passphrase must not cost the invite.
    rukun_model::storage::check_new_passphrase(&pass)?;
    let name = name
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "Anggota baru".to_owned());
    let device = Device::generate()?;
    // The slow key derivation (Argon2id) runs beside the download.
    let key = tokio::task::spawn_blocking({
        let pass = pass.clone();
        move || NewBookKey::derive(&pass, kdf_params(fast_kdf))
    });
    let joined = match join_group_with(device, &invite, &name, options, progress_printer()).await {
        Ok(j) => j,
        Err(JoinGroupError::Join(rukun_sync::JoinError::Refused { reason, .. })) => {
            eprintln!("rukun: invite refused: {reason}");
            return Ok(ExitCode::from(EXIT_REFUSED));
        }
        Err(e) => return Err(e.into()),
    };
    let (book, states) = joined.replica.into_parts();
    let key = key.await.context("deriving the book's key")??;
    let mut book = book.store_joined_with_key(dir, key)?;
    book.adopt_sync_states(&states)?;
    let group = book.group()?;
    line(&format!("group {}", group.id));
    line(&format!("member {}", book.member_id()));
    line(&format!("role {}", joined.grant.role));
    if joined.snapshot_bytes > 0 {
        line(&format!("snapshot {} bytes", joined.snapshot_bytes));
    }
    line(&format!(
        "received {} changes ({} bytes)",
        joined.summary.changes_received, joined.summary.bytes_received
    ));
    eprintln!(
        "Bergabung dengan \"{}\" sebagai {}; buku tersimpan di {}.",
        group.name,
        joined.grant.role,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn members(dir: &Path, json: bool) -> Result<ExitCode> {
    let book = open_book(dir)?;
    let me = book.member_id().clone();
    let mut rows: Vec<_> = book
        .members()
        .into_iter()
        .map(|(id, m)| {
            let status = book.member_status(&id);
            (id, m, status)
        })
        .collect();
    rows.sort_by(|a, b| (&a.1.added_at, &a.0).cmp(&(&b.1.added_at, &b.0)));
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|(id, m, status)| {
                serde_json::json!({
                    "id": id,
                    "name": m.name,
                    "role": m.role,
                    "status": status,
                    "added_by": m.added_by,
                    "added_at": m.added_at,
                    "this_device": id == &me,
                })
            })
            .collect();
        println!("{}", serde_json::to_string(&list)?);
    } else {
        for (id, m, status) in &rows {
            let status = match status {
                MemberStatus::Member => "member",
                MemberStatus::Revoked => "revoked",
                MemberStatus::Unknown => "unknown",
            };
            let mark = if id == &me { "  (this device)" } else { "" };
            println!("{id}  {status:<8} {:<9} {}{mark}", m.role, m.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
