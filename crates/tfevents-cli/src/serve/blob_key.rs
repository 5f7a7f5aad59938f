//! Blob keys: which run, tag, step and index a blob is, in a form that goes in a URL as is
//! (lowercase hex of the fields joined by NUL, which no run or tag name holds).

/// The address of one blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobKey {
    /// The run.
    pub run: String,
    /// The tag.
    pub tag: String,
    /// The point's step.
    pub step: i64,
    /// The blob's index in the point's sequence.
    pub index: usize,
}

impl std::fmt::Display for BlobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plain = format!("{}\0{}\0{}\0{}", self.run, self.tag, self.step, self.index);
        for b in plain.bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for BlobKey {
    type Err = String;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{key}` is not a blob key this server gave out");
        if !key.len().is_multiple_of(2) {
            return Err(bad());
        }
        let bytes = (0..key.len())
            .step_by(2)
            .map(|i| {
                key.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(bad)?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = plain.split('\0');
        let (Some(run), Some(tag), Some(step), Some(index), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        Ok(BlobKey {
            run: run.to_string(),
            tag: tag.to_string(),
            step: step.parse().map_err(|_| bad())?,
            index: index.parse().map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_url_safe() {
        let key = BlobKey {
            run: "a/b c".into(),
            tag: "img/ü?&".into(),
            step: -3,
            index: 2,
        };
        let s = key.to_string();
        assert!(s.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(s.parse::<BlobKey>(), Ok(key));
    }

    #[test]
    fn rejects_foreign_keys() {
        for bad in ["", "zz", "abc", "616263", "61006200780030"] {
            assert!(bad.parse::<BlobKey>().is_err(), "{bad}");
        }
    }
}
