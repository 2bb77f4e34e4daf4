//! Just enough arbitrary-precision decimal arithmetic to reproduce Sprig's
//! `addf`/`subf`/`mulf`/`divf`, which convert every operand with
//! `shopspring/decimal.NewFromFloat` (the shortest decimal that round-trips)
//! and compute exactly, so `addf 0.1 0.2` is `0.3`, not
//! `0.30000000000000004`. Division rounds half away from zero to 16
//! decimal places, as `decimal.Div` does.
//!
//! Magnitudes are little-endian vectors of decimal digits: the numbers
//! involved are short, and base 10 makes scaling by powers of ten and
//! conversion back to text trivial.

use std::cmp::Ordering;

/// Digits after the decimal point kept by `Div` (`decimal.DivisionPrecision`).
const DIVISION_PRECISION: i64 = 16;

/// An unsigned integer as little-endian decimal digits, no leading zeros.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Digits(Vec<u8>);

impl Digits {
    fn from_ascii(s: &str) -> Digits {
        let mut d: Vec<u8> = s.bytes().rev().map(|b| b - b'0').collect();
        trim(&mut d);
        Digits(d)
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// `self * 10^n`.
    fn shifted(&self, n: usize) -> Digits {
        if self.is_zero() {
            return Digits::default();
        }
        let mut d = vec![0u8; n];
        d.extend_from_slice(&self.0);
        Digits(d)
    }

    fn add(&self, other: &Digits) -> Digits {
        let n = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u8;
        for i in 0..n {
            let s =
                self.0.get(i).copied().unwrap_or(0) + other.0.get(i).copied().unwrap_or(0) + carry;
            out.push(s % 10);
            carry = s / 10;
        }
        if carry > 0 {
            out.push(carry);
        }
        Digits(out)
    }

    /// `self - other`; requires `self >= other`.
    fn sub(&self, other: &Digits) -> Digits {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i8;
        for i in 0..self.0.len() {
            let mut s = self.0[i] as i8 - other.0.get(i).copied().unwrap_or(0) as i8 - borrow;
            if s < 0 {
                s += 10;
                borrow = 1;
            } else {
                borrow = 0;
            }
            out.push(s as u8);
        }
        trim(&mut out);
        Digits(out)
    }

    fn mul(&self, other: &Digits) -> Digits {
        if self.is_zero() || other.is_zero() {
            return Digits::default();
        }
        let mut acc = vec![0u32; self.0.len() + other.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            for (j, &b) in other.0.iter().enumerate() {
                acc[i + j] += u32::from(a) * u32::from(b);
            }
            // Normalise as we go so the accumulators cannot overflow.
            let mut carry = 0u32;
            for slot in acc.iter_mut() {
                let v = *slot + carry;
                *slot = v % 10;
                carry = v / 10;
            }
        }
        let mut out: Vec<u8> = acc.into_iter().map(|v| v as u8).collect();
        trim(&mut out);
        Digits(out)
    }

    fn cmp(&self, other: &Digits) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// Schoolbook long division: `(self / d, self % d)`; `d` must be non-zero.
    fn div_rem(&self, d: &Digits) -> (Digits, Digits) {
        let mut quotient = Vec::with_capacity(self.0.len());
        let mut rem = Digits::default();
        for &digit in self.0.iter().rev() {
            rem = rem
                .shifted(1)
                .add(&Digits(if digit == 0 { vec![] } else { vec![digit] }));
            let mut q = 0u8;
            while rem.cmp(d) != Ordering::Less {
                rem = rem.sub(d);
                q += 1;
            }
            quotient.push(q);
        }
        quotient.reverse();
        trim(&mut quotient);
        (Digits(quotient), rem)
    }

    fn to_ascii(&self) -> String {
        if self.is_zero() {
            return "0".to_string();
        }
        self.0.iter().rev().map(|d| (b'0' + d) as char).collect()
    }
}

fn trim(d: &mut Vec<u8>) {
    while d.last() == Some(&0) {
        d.pop();
    }
}

/// `±digits × 10^exp`.
#[derive(Clone, Debug)]
pub struct Decimal {
    neg: bool,
    digits: Digits,
    exp: i64,
}

/// Errors are the panics `shopspring/decimal` raises, with its texts.
#[derive(Debug, PartialEq)]
pub enum DecimalError {
    DivisionByZero,
    NotFinite(f64),
}

impl std::fmt::Display for DecimalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecimalError::DivisionByZero => f.write_str("decimal division by 0"),
            DecimalError::NotFinite(x) => write!(
                f,
                "Cannot create a Decimal from {}",
                crate::render::gofmt::format_float_v(*x)
            ),
        }
    }
}

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `x`.
    pub fn from_f64(x: f64) -> Result<Decimal, DecimalError> {
        if !x.is_finite() {
            return Err(DecimalError::NotFinite(x));
        }
        if x == 0.0 {
            return Ok(Decimal {
                neg: false,
                digits: Digits::default(),
                exp: 0,
            });
        }
        // Rust's `{:e}` is the shortest round-trip representation, e.g. `1.2345e-5`.
        let text = format!("{:e}", x.abs());
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let exponent: i64 = exponent.parse().unwrap_or(0);
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all = format!("{int_part}{frac_part}");
        Ok(Decimal {
            neg: x < 0.0,
            digits: Digits::from_ascii(&all),
            exp: exponent - frac_part.len() as i64,
        })
    }

    /// The nearest float64 (`decimal.Float64`).
    pub fn to_f64(&self) -> f64 {
        if self.digits.is_zero() {
            return 0.0;
        }
        let text = format!(
            "{}{}e{}",
            if self.neg { "-" } else { "" },
            self.digits.to_ascii(),
            self.exp
        );
        text.parse().unwrap_or(0.0)
    }

    fn negated(&self) -> Decimal {
        Decimal {
            neg: !self.neg,
            ..self.clone()
        }
    }

    /// Both magnitudes scaled to the smaller exponent.
    fn aligned(&self, other: &Decimal) -> (Digits, Digits, i64) {
        let exp = self.exp.min(other.exp);
        (
            self.digits.shifted((self.exp - exp) as usize),
            other.digits.shifted((other.exp - exp) as usize),
            exp,
        )
    }

    pub fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, exp) = self.aligned(other);
        if self.neg == other.neg {
            return Decimal {
                neg: self.neg,
                digits: a.add(&b),
                exp,
            };
        }
        match a.cmp(&b) {
            Ordering::Less => Decimal {
                neg: other.neg,
                digits: b.sub(&a),
                exp,
            },
            _ => Decimal {
                neg: self.neg,
                digits: a.sub(&b),
                exp,
            },
        }
    }

    pub fn sub(&self, other: &Decimal) -> Decimal {
        self.add(&other.negated())
    }

    pub fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            neg: self.neg != other.neg,
            digits: self.digits.mul(&other.digits),
            exp: self.exp + other.exp,
        }
    }

    /// `decimal.Div`: quotient rounded half away from zero to 16 places.
    pub fn div(&self, other: &Decimal) -> Result<Decimal, DecimalError> {
        if other.digits.is_zero() {
            return Err(DecimalError::DivisionByZero);
        }
        // |self| / |other| * 10^16 = (a * 10^ea) / (b * 10^eb) * 10^16.
        let shift = self.exp - other.exp + DIVISION_PRECISION;
        let (num, den) = if shift >= 0 {
            (self.digits.shifted(shift as usize), other.digits.clone())
        } else {
            (self.digits.clone(), other.digits.shifted((-shift) as usize))
        };
        let (mut q, r) = num.div_rem(&den);
        if r.add(&r).cmp(&den) != Ordering::Less {
            q = q.add(&Digits(vec![1]));
        }
        Ok(Decimal {
            neg: self.neg != other.neg,
            digits: q,
            exp: -DIVISION_PRECISION,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> Decimal {
        Decimal::from_f64(x).unwrap()
    }

    #[test]
    fn exact_decimal_arithmetic() {
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(d(10.0).sub(&d(0.5)).sub(&d(0.25)).to_f64(), 9.25);
        assert_eq!(d(1.5).mul(&d(4.0)).to_f64(), 6.0);
        assert_eq!(d(-1.5).add(&d(1.0)).to_f64(), -0.5);
        assert_eq!(d(1e300).mul(&d(1e-300)).to_f64(), 1.0);
    }

    #[test]
    fn division_rounds_to_sixteen_places() {
        assert_eq!(d(1.0).div(&d(3.0)).unwrap().to_f64(), 0.3333333333333333);
        assert_eq!(d(2.0).div(&d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert_eq!(d(-2.0).div(&d(3.0)).unwrap().to_f64(), -0.6666666666666667);
        assert_eq!(d(10.0).div(&d(4.0)).unwrap().to_f64(), 2.5);
        assert_eq!(d(1e-20).div(&d(3.0)).unwrap().to_f64(), 0.0);
        assert_eq!(
            d(1.0).div(&d(0.0)).unwrap_err(),
            DecimalError::DivisionByZero
        );
    }
}
