//! Typed record ids and the versioned wrapper every stored record comes in.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// The id of a stored `T`. Ids of different record types cannot be mixed up.
pub struct Id<T> {
    raw: i64,
    _type: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    pub const fn new(raw: i64) -> Self {
        Id { raw, _type: PhantomData }
    }

    pub const fn get(self) -> i64 {
        self.raw
    }

    /// The same number as the id of another record type; for links stored untyped.
    pub const fn cast<U>(self) -> Id<U> {
        Id::new(self.raw)
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.raw)
    }
}
impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.raw)
    }
}
impl<T> serde::Serialize for Id<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.raw)
    }
}
impl<'de, T> serde::Deserialize<'de> for Id<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Id::new)
    }
}

/// A stored record: its id, its version for optimistic concurrency, and its data.
///
/// Every edit names the version it was based on; an edit based on an older version is
/// refused as a conflict instead of overwriting someone else's change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Versioned<T> {
    pub id: Id<T>,
    pub version: i64,
    pub item: T,
}

impl<T> std::ops::Deref for Versioned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}
