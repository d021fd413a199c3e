//! Durations, parsed exactly as each product parses them.

/// nginx time: `30s`, `1m30s`, `500ms`, `1h`, `1d`, `1w`, `1M` (30 days), `1y` (365 days);
/// a bare number is seconds. Units may be combined from largest to smallest. Returns
/// milliseconds.
pub fn nginx_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().ok()?.checked_mul(1000);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.as_bytes().first()? {
                b's' => (1000, 1),
                b'm' => (60_000, 1),
                b'h' => (3_600_000, 1),
                b'd' => (86_400_000, 1),
                b'w' => (7 * 86_400_000, 1),
                b'M' => (30 * 86_400_000, 1),
                b'y' => (365 * 86_400_000, 1),
                _ => return None,
            }
        };
        rest = &rest[len..];
        total = total.checked_add(n.checked_mul(unit_ms)?)?;
    }
    Some(total)
}

/// Go `time.ParseDuration` as compose and Istio use it: `1m30s`, `1.5s`, `300ms`, `2h`,
/// `10us`; a sign is allowed; a bare `0` is zero. Returns milliseconds (rounded down).
pub fn go_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    if text == "0" {
        return Some(0);
    }
    if text.starts_with('-') || text.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .bytes()
            .take_while(|b| !(b.is_ascii_digit() || *b == b'.'))
            .count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ns" => 1e-6,
            "us" | "µs" | "μs" => 1e-3,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total += n * factor;
    }
    if total.is_finite() && total >= 0.0 {
        Some(total as u64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx() {
        assert_eq!(nginx_ms("30"), Some(30_000));
        assert_eq!(nginx_ms("30s"), Some(30_000));
        assert_eq!(nginx_ms("1m30s"), Some(90_000));
        assert_eq!(nginx_ms("500ms"), Some(500));
        assert_eq!(nginx_ms("1h"), Some(3_600_000));
        assert_eq!(nginx_ms("2d"), Some(172_800_000));
        assert_eq!(nginx_ms("1.5s"), None);
        assert_eq!(nginx_ms("x"), None);
        assert_eq!(nginx_ms(""), None);
    }

    #[test]
    fn go() {
        assert_eq!(go_ms("1m30s"), Some(90_000));
        assert_eq!(go_ms("1.5s"), Some(1500));
        assert_eq!(go_ms("300ms"), Some(300));
        assert_eq!(go_ms("0"), Some(0));
        assert_eq!(go_ms("10"), None);
        assert_eq!(go_ms("-1s"), None);
    }
}
