//! Decimals in JSON and in XML: read from strings (preferred: exact) or JSON numbers (integers
//! exactly, fractions through their shortest decimal form), written back as strings so no float
//! ever touches an amount.

use rust_decimal::prelude::*;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;

/// Half away from zero, the rounding of ZATCA's samples and of XSLT's `round()` on positive values.
pub(super) const ROUNDING: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// Rounds to two decimals and keeps exactly two (`4` → `4.00`), the form every amount is written in.
pub(super) fn round2(value: Decimal) -> Decimal {
    let mut d = value.round_dp_with_strategy(2, ROUNDING);
    d.rescale(2);
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

/// At least two decimals, never fewer than given (`2` → `2.00`, `0.005` stays): quantities and prices.
pub(super) fn at_least2(value: Decimal) -> Decimal {
    let mut d = value;
    if d.scale() < 2 {
        d.rescale(2);
    }
    if d.is_zero() {
        d.set_sign_positive(true);
    }
    d
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number as a string (\"12.50\") or a JSON number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        let t = v.trim();
        Decimal::from_str_exact(t)
            .or_else(|_| Decimal::from_scientific(t))
            .map_err(|_| E::custom(format!("'{v}' is not a decimal number")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(E::custom("not a finite number"));
        }
        // Rust prints the shortest string that reads back as the same f64: 33.333 stays 33.333.
        self.visit_str(&v.to_string())
    }
}

pub(super) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

/// The same for optional fields (`null` or absent = `None`).
pub(super) mod opt {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        struct OptVisitor;
        impl<'de> Visitor<'de> for OptVisitor {
            type Value = Option<Decimal>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                super::deserialize(d).map(Some)
            }
        }
        d.deserialize_option(OptVisitor)
    }
}
