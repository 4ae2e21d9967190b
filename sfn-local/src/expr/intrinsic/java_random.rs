//! `java.util.Random`'s generator, so a seeded States.MathRandom is repeatable the way the
//! JVM-based service's is (same seed, same number).

const MULTIPLIER: i64 = 0x5DEE_CE66D;
const ADDEND: i64 = 0xB;
const MASK: i64 = (1 << 48) - 1;

pub struct JavaRandom {
    seed: i64,
}

impl JavaRandom {
    pub fn new(seed: i64) -> Self {
        Self {
            seed: (seed ^ MULTIPLIER) & MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND)) & MASK;
        (self.seed >> (48 - bits)) as i32
    }

    /// `Random.nextInt(bound)` for `bound > 0`; 0 otherwise.
    pub fn next_int(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        if bound & bound.wrapping_neg() == bound {
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let val = bits % bound;
            if bits.wrapping_sub(val).wrapping_add(bound - 1) >= 0 {
                return val;
            }
        }
    }

    /// A value in `0..bound` for bounds beyond 32 bits (`bound > 0`).
    pub fn next_long_below(&mut self, bound: i64) -> i64 {
        if bound <= 0 {
            return 0;
        }
        let high = i64::from(self.next(32)) << 32;
        let low = i64::from(self.next(32)) & 0xFFFF_FFFF;
        (high.wrapping_add(low)).rem_euclid(bound)
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn matches_the_jdk_sequence() {
        // Reference values printed by jshell: new java.util.Random(42).nextInt(100) three
        // times, and new java.util.Random(-7).nextInt(1000000007).
        let mut r = JavaRandom::new(42);
        assert_eq!(
            [r.next_int(100), r.next_int(100), r.next_int(100)],
            [30, 63, 48]
        );
        assert_eq!(JavaRandom::new(-7).next_int(1_000_000_007), 577_934_662);
    }
}
