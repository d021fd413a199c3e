//! The model's string: one pointer wide, shared, and interned while a model is built.
//!
//! A 100,000-file repository gives a model of six million strings, of which 420,000 are
//! distinct: ids repeated in every edge, kinds, protocols, label keys and values. Held as
//! 24-byte inline-or-heap strings they were two thirds of the model's heap
//! (docs/benchmarks.md). A [`Str`] is an [`arcstr::ArcStr`] (eight bytes, `Option<Str>` as
//! well; the text with its count in one allocation; a clone is a count increment), and
//! every string made from text is first looked up in its thread's table of the strings
//! made since the last [`release_interned`], so equal strings share one allocation.
//!
//! The tables only ever save memory, never change a value: a string made on another thread
//! or after a release is a copy that compares, hashes and orders equal.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};

use arcstr::ArcStr;
use hashbrown::hash_table::{Entry, HashTable};
use serde::{Serialize, Serializer};

/// An immutable, shared string; see the module documentation.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Str(ArcStr);

/// Bumped by [`release_interned`]: a thread whose table is older empties it first.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A table holds at most this many strings; past that it starts over (a bound for the
/// language server's long life, far above one model's distinct strings per thread).
const TABLE_LIMIT: usize = 1 << 21;

struct Table {
    generation: u64,
    strings: HashTable<ArcStr>,
}

thread_local! {
    static TABLE: RefCell<Table> = const {
        RefCell::new(Table { generation: 0, strings: HashTable::new() })
    };
}

fn hash_of(s: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// Lets go of the strings the threads' tables hold (those the model holds stay): call when
/// a model is complete. Each thread empties its table the next time it makes a string.
pub fn release_interned() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
    let _ = TABLE.try_with(|table| {
        if let Ok(mut table) = table.try_borrow_mut() {
            table.strings = HashTable::new();
        }
    });
}

fn intern(s: &str) -> ArcStr {
    if s.is_empty() {
        return ArcStr::new();
    }
    let made = TABLE.try_with(|table| {
        let Ok(mut table) = table.try_borrow_mut() else {
            return None;
        };
        let generation = GENERATION.load(Ordering::Relaxed);
        if table.generation != generation || table.strings.len() >= TABLE_LIMIT {
            table.generation = generation;
            table.strings = HashTable::new();
        }
        let hash = hash_of(s);
        Some(
            match table
                .strings
                .entry(hash, |x| x.as_str() == s, |x| hash_of(x))
            {
                Entry::Occupied(found) => found.get().clone(),
                Entry::Vacant(slot) => slot.insert(ArcStr::from(s)).get().clone(),
            },
        )
    });
    match made {
        Ok(Some(s)) => s,
        // The thread is going away (or re-entered): no sharing, same value.
        _ => ArcStr::from(s),
    }
}

impl Str {
    pub fn new(s: &str) -> Self {
        Str(intern(s))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl Deref for Str {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self
    }
}

impl AsRef<std::ffi::OsStr> for Str {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.as_str().as_ref()
    }
}

impl AsRef<std::path::Path> for Str {
    fn as_ref(&self) -> &std::path::Path {
        self.as_str().as_ref()
    }
}

impl Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self
    }
}

impl Hash for Str {
    /// As `str` hashes, so that maps keyed by [`Str`] are looked up by `&str`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str::new(s)
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Self {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        Str(intern(&s))
    }
}

impl From<&Str> for Str {
    fn from(s: &Str) -> Self {
        s.clone()
    }
}

impl From<std::borrow::Cow<'_, str>> for Str {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        Str::new(&s)
    }
}

impl From<Str> for String {
    fn from(s: Str) -> Self {
        s.as_str().to_owned()
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<&Str> for Str {
    fn eq(&self, other: &&Str) -> bool {
        self == *other
    }
}

impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let a = Str::from("k8s:shop/Deployment/checkout");
        let b = Str::from(String::from("k8s:shop/Deployment/checkout"));
        assert_eq!(a, b);
        assert!(std::ptr::eq(a.as_str().as_ptr(), b.as_str().as_ptr()));
        assert_eq!(std::mem::size_of::<Str>(), 8);
        assert_eq!(std::mem::size_of::<Option<Str>>(), 8);
    }

    #[test]
    fn released_tables_keep_values() {
        let a = Str::from("compose:shop/api");
        release_interned();
        let b = Str::from("compose:shop/api");
        // A fresh table: a copy, equal in every way that matters.
        assert!(!std::ptr::eq(a.as_str().as_ptr(), b.as_str().as_ptr()));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
        let hash = |s: &Str| rustc_hash::FxBuildHasher.hash_one(s);
        assert_eq!(hash(&a), hash(&b));
        assert_eq!(
            hash(&a),
            rustc_hash::FxBuildHasher.hash_one("compose:shop/api")
        );
        assert_eq!(a.as_str(), "compose:shop/api");
    }

    #[test]
    fn empty_and_other_threads() {
        assert_eq!(Str::from(""), Str::default());
        let here = Str::from("nginx:etc/nginx/nginx.conf");
        let there = std::thread::spawn(|| Str::from("nginx:etc/nginx/nginx.conf"))
            .join()
            .unwrap();
        assert_eq!(here, there);
        assert_eq!(
            serde_json::to_string(&here).unwrap(),
            "\"nginx:etc/nginx/nginx.conf\""
        );
    }
}
