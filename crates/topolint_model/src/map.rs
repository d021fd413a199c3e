//! The model's small maps: labels, annotations, selectors, an nginx target's timeouts.
//!
//! They were `BTreeMap`s, whose first entry allocates a whole node (eleven keys and values:
//! about 0.5 KB for a label map, 1 KB for a map of durations). Most of the model's maps hold
//! one to four entries, and on a 100,000-file repository those nodes were a quarter of the
//! model's heap. [`StrMap`] is a sorted vector instead ([`litemap`]): the same lookups
//! (binary search), the same order when iterated and serialized (by key), the same
//! "the last of a duplicated key wins" when collected, and room for exactly its entries.

use std::ops::{Deref, DerefMut};

use litemap::LiteMap;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::model::Str;

/// A map from names to values, sorted by name. Read it as a `BTreeMap` (`get`,
/// `contains_key`, `iter`, `keys`, `values`, `len`: through `Deref`); it serializes as a
/// JSON object, empty or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrMap<V = Str>(LiteMap<Str, V>);

impl<V> StrMap<V> {
    pub const fn new() -> Self {
        Self(LiteMap::new_vec())
    }

    /// Gives back the room the map does not use (the model keeps its maps for the whole run).
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.0.is_empty() {
            *self = Self::new();
            return;
        }
        let mut entries = std::mem::take(&mut self.0).into_tuple_vec();
        entries.shrink_to_fit();
        // Taken from a sorted map: still sorted, no duplicates.
        self.0 = LiteMap::from_sorted_store_unchecked(entries);
    }
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Deref for StrMap<V> {
    type Target = LiteMap<Str, V>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<V> DerefMut for StrMap<V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<K: Into<Str>, V> FromIterator<(K, V)> for StrMap<V> {
    /// Sorted by key; of a key given twice, the last value wins (as with `BTreeMap`).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(LiteMap::from_iter(
            iter.into_iter().map(|(k, v)| (k.into(), v)),
        ))
    }
}

impl<const N: usize, K: Into<Str>, V> From<[(K, V); N]> for StrMap<V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<'a, V> IntoIterator for &'a StrMap<V> {
    type Item = (&'a Str, &'a V);
    type IntoIter = <&'a LiteMap<Str, V> as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        (&self.0).into_iter()
    }
}

impl<V> IntoIterator for StrMap<V> {
    type Item = (Str, V);
    type IntoIter = <LiteMap<Str, V> as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<V: Serialize> Serialize for StrMap<V> {
    /// Always a map: `litemap`'s own implementation writes an empty map as `[]` to
    /// human-readable formats, and the model's JSON document has `{}` there.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::StrMap;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Collected, looked up, iterated and serialized as the `BTreeMap` it replaces.
    #[test]
    fn behaves_as_the_btreemap_it_replaces() {
        for items in [
            &[][..],
            &[("app", "web")][..],
            &[("tier", "b"), ("app", "web"), ("tier", "a"), ("zone", "")][..],
            &[("b", "1"), ("a", "2"), ("b", "3"), ("a", "4")][..],
        ] {
            let ours: StrMap = pairs(items)
                .into_iter()
                .map(|(k, v)| (k, super::Str::from(v)))
                .collect();
            let theirs: BTreeMap<String, String> = pairs(items).into_iter().collect();
            assert_eq!(
                ours.iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect::<Vec<_>>(),
                theirs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect::<Vec<_>>()
            );
            assert_eq!(ours.len(), theirs.len());
            for key in ["app", "tier", "a", "b", "missing"] {
                assert_eq!(
                    ours.get(key).map(|v| v.as_str()),
                    theirs.get(key).map(String::as_str),
                    "{key}"
                );
                assert_eq!(ours.contains_key(key), theirs.contains_key(key));
            }
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
            assert_eq!(
                serde_json::to_string_pretty(&ours).unwrap(),
                serde_json::to_string_pretty(&theirs).unwrap()
            );
        }
    }

    #[test]
    fn inserts_keep_the_order_and_shrinking_keeps_the_entries() {
        let mut map = StrMap::new();
        for (k, v) in [("b", 1), ("c", 2), ("a", 3), ("b", 4)] {
            map.insert(k.into(), v);
        }
        let before: Vec<(String, i32)> = map.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(
            before,
            vec![("a".into(), 3), ("b".into(), 4), ("c".into(), 2)]
        );
        map.shrink_to_fit();
        let after: Vec<(String, i32)> = map.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(before, after);
        assert_eq!(map.get("b"), Some(&4));
    }
}
