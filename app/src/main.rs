//! `rukun`: the book of a WKSBM group on this device.
//!
//! With no subcommand it opens the app; the subcommands are for scripts and for the
//! meeting laptop. Every command takes `--book DIR` (default: the OS data folder) and the
//! passphrase from `RUKUN_PASSPHRASE` or a prompt.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
