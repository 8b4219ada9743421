//! Two network namespaces joined by a veth pair, for scenarios that need a real link between
//! two `rukun` processes instead of loopback: mDNS discovery, and a slow link shaped with
//! `tc ... tbf` (this kernel has no netem, so bandwidth can be limited but delay cannot be
//! added). Needs root and iproute2; every packet stays inside the two namespaces.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Runs `ip` with `args`.
///
/// # Errors
/// When `ip` cannot be run or fails (the text holds its stderr).
pub fn ip(args: &[&str]) -> Result<(), String> {
    run("ip", args).map(drop)
}

/// Runs `program` with `args`; its stdout, or `Err` with its stderr when it fails.
fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let o = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        ))
    }
}

/// Counters of the root qdisc of one veth end (`tc -s qdisc show`): what left that end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QdiscStats {
    /// Bytes sent, Ethernet headers included (what `tbf` counts against its rate).
    pub bytes: u64,
    /// Packets sent.
    pub packets: u64,
    /// Packets dropped by the qdisc (a full `tbf` queue).
    pub drops: u64,
}

impl QdiscStats {
    /// The counts since `earlier`.
    pub fn since(&self, earlier: &QdiscStats) -> QdiscStats {
        QdiscStats {
            bytes: self.bytes.saturating_sub(earlier.bytes),
            packets: self.packets.saturating_sub(earlier.packets),
            drops: self.drops.saturating_sub(earlier.drops),
        }
    }
}

/// Namespaces made by this process so far (two tests of one binary get different names).
static CREATED: AtomicU32 = AtomicU32::new(0);

/// Two network namespaces joined by a veth pair: end 0 is 10.231.S.1/24 in the first, end 1
/// 10.231.S.2/24 in the second, multicast routed to the veth. Dropping it deletes both
/// namespaces, which deletes the veth pair (and its qdiscs) too.
#[derive(Debug)]
pub struct Namespaces {
    names: [String; 2],
    veths: [String; 2],
    subnet: u32,
}

impl Namespaces {
    /// Creates the two namespaces and their link.
    ///
    /// # Errors
    /// When `ip` fails (not root, no iproute2, no namespace support); what was made is
    /// deleted again.
    pub fn create() -> Result<Namespaces, String> {
        let n = CREATED.fetch_add(1, Ordering::Relaxed) % 10;
        // Interface names have at most 15 bytes: "rk" + 6 digits + "a".
        let tag = (std::process::id() % 100_000) * 10 + n;
        let ns = Namespaces {
            names: [format!("rukun{tag}a"), format!("rukun{tag}b")],
            veths: [format!("rk{tag}a"), format!("rk{tag}b")],
            subnet: 1 + tag % 250,
        };
        let [na, nb] = &ns.names;
        let [va, vb] = &ns.veths;
        ip(&["netns", "add", na])?;
        ip(&["netns", "add", nb])?;
        ip(&[
            "link", "add", va, "netns", na, "type", "veth", "peer", "name", vb, "netns", nb,
        ])?;
        for i in 0..2 {
            let (n, v) = (&ns.names[i], &ns.veths[i]);
            let addr = format!("{}/24", ns.addr(i));
            ip(&["-n", n, "addr", "add", &addr, "dev", v])?;
            ip(&["-n", n, "link", "set", v, "up", "multicast", "on"])?;
            ip(&["-n", n, "link", "set", "lo", "up"])?;
            ip(&["-n", n, "route", "add", "224.0.0.0/4", "dev", v])?;
        }
        Ok(ns)
    }

    /// The IPv4 address of veth end `i` (0 or 1), e.g. `10.231.17.1`.
    pub fn addr(&self, i: usize) -> String {
        format!("10.231.{}.{}", self.subnet, i + 1)
    }

    /// The name of namespace `i` (0 or 1).
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// `cmd` run inside namespace `i` (a child process: tokio's threads would not follow
    /// `setns`), with `cmd`'s environment changes.
    pub fn exec(&self, i: usize, cmd: &Command) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.names[i]])
            .arg(cmd.get_program());
        c.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    }

    /// Limits both veth ends (so both directions) to `rate` with a token bucket filter:
    /// `tc qdisc add dev VETH root tbf rate RATE burst BURST latency LATENCY` (tc's units,
    /// e.g. `1mbit`, `8kb`, `200ms`). `latency` bounds the queue: packets that would wait
    /// longer are dropped, as a full buffer of a slow radio link drops them.
    ///
    /// # Errors
    /// When `tc` fails (e.g. no `sch_tbf` in the kernel).
    pub fn shape(&self, rate: &str, burst: &str, latency: &str) -> Result<(), String> {
        for i in 0..2 {
            run(
                "tc",
                &[
                    "-n",
                    &self.names[i],
                    "qdisc",
                    "add",
                    "dev",
                    &self.veths[i],
                    "root",
                    "tbf",
                    "rate",
                    rate,
                    "burst",
                    burst,
                    "latency",
                    latency,
                ],
            )?;
        }
        Ok(())
    }

    /// Counters of the root qdisc of veth end `i`: what left namespace `i` on the link.
    ///
    /// # Errors
    /// When `tc` fails or prints something else than expected.
    pub fn qdisc_stats(&self, i: usize) -> Result<QdiscStats, String> {
        let out = run(
            "tc",
            &[
                "-n",
                &self.names[i],
                "-s",
                "-j",
                "qdisc",
                "show",
                "dev",
                &self.veths[i],
            ],
        )?;
        let v: serde_json::Value =
            serde_json::from_str(&out).map_err(|e| format!("tc -j output: {e}: {out}"))?;
        let root = v
            .as_array()
            .and_then(|a| a.iter().find(|q| q.get("root") == Some(&true.into())))
            .ok_or_else(|| format!("no root qdisc on {}: {out}", self.veths[i]))?;
        let n = |k: &str| root.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        Ok(QdiscStats {
            bytes: n("bytes"),
            packets: n("packets"),
            drops: n("drops"),
        })
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = ip(&["netns", "del", n]);
        }
    }
}
