//! The open book as the screens and the sync node share it: one `Arc<Mutex<Held>>`, so the
//! book is never opened twice. With the `sync` feature the holder is the sync crate's
//! [`rukun_sync::BookReplica`] (the book plus its per-peer sync states), which the listening
//! node serves directly; without it, a plain wrapper with the same accessors.

use std::sync::{Arc, Mutex};

use rukun_model::Book;

/// The book plus what syncing needs.
#[cfg(feature = "sync")]
pub(crate) type Held = rukun_sync::BookReplica;

/// The book (built without sync).
#[cfg(not(feature = "sync"))]
pub(crate) struct Held(Book);

#[cfg(not(feature = "sync"))]
impl Held {
    pub(crate) fn new(book: Book) -> Held {
        Held(book)
    }

    pub(crate) fn book(&self) -> &Book {
        &self.0
    }

    pub(crate) fn book_mut(&mut self) -> &mut Book {
        &mut self.0
    }
}

/// The open book, shared by the screens (which write through the model's functions) and,
/// while Sinkron is open, the listening node.
pub(crate) type SharedBook = Arc<Mutex<Held>>;

/// Shares `book`.
pub(crate) fn share(book: Book) -> SharedBook {
    Arc::new(Mutex::new(Held::new(book)))
}
