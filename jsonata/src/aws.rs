//! AWS Step Functions' JSONata functions: `$partition`, `$range`, `$hash`, `$random([seed])`,
//! `$uuid`, `$parse` (registered by `Bindings::with_aws_functions`).

use md5::Md5;
use rand::{RngExt, SeedableRng};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::error::{JsonataError, Result, quoted};
use crate::eval::Evaluator;
use crate::functions::{arg, num, text};
use crate::value::Val;

type R<'a> = Result<Val<'a>>;

pub fn partition<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let list = arg(&args, 0);
    let size = num(&args, 1).unwrap_or(0.0);
    if size < 1.0 || size.fract() != 0.0 {
        return Err(JsonataError::new(
            "D3201",
            format!(
                "The chunk size of $partition must be a positive integer: {}",
                crate::numfmt::js_number_string(size)
            ),
        ));
    }
    let items = list.items();
    ev.tick(items.len() as u64)?;
    let chunks = items
        .chunks(size as usize)
        .map(|c| Val::array(c.to_vec()))
        .collect();
    Ok(Val::array(chunks))
}

pub fn range<'a>(ev: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let (Some(start), Some(end)) = (num(&args, 0), num(&args, 1)) else {
        return Ok(Val::Undef);
    };
    let step = num(&args, 2).unwrap_or(1.0);
    if step == 0.0 || !step.is_finite() {
        return Err(JsonataError::new(
            "D3202",
            "The step of $range must be a non-zero number",
        ));
    }
    let count = ((end - start) / step).floor() + 1.0;
    if count > 1e7 {
        return Err(JsonataError::new(
            "D3203",
            "The array produced by $range is too large",
        ));
    }
    let count = count.max(0.0) as u64;
    ev.tick(count)?;
    Ok(Val::array(
        (0..count)
            .map(|i| Val::Num(start + i as f64 * step))
            .collect(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(data) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let algorithm = text(&args, 1).unwrap_or("SHA-256");
    let bytes = data.as_bytes();
    let digest = match algorithm {
        "MD5" => hex(&Md5::digest(bytes)),
        "SHA-1" => hex(&Sha1::digest(bytes)),
        "SHA-256" => hex(&Sha256::digest(bytes)),
        "SHA-384" => hex(&Sha384::digest(bytes)),
        "SHA-512" => hex(&Sha512::digest(bytes)),
        other => {
            return Err(JsonataError::new(
                "D3204",
                format!(
                    "The hash algorithm {} is not supported; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512",
                    quoted(other)
                ),
            ));
        }
    };
    Ok(Val::string(digest))
}

pub fn random<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    match num(&args, 0) {
        Some(seed) => {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed.to_bits());
            Ok(Val::Num(rng.random::<f64>()))
        }
        None => Ok(Val::Num(rand::random::<f64>())),
    }
}

pub fn uuid<'a>(_: &Evaluator<'a>, _: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    Ok(Val::string(uuid::Uuid::new_v4().to_string()))
}

pub fn parse<'a>(_: &Evaluator<'a>, args: Vec<Val<'a>>, _: &Val<'a>) -> R<'a> {
    let Some(s) = text(&args, 0) else {
        return Ok(Val::Undef);
    };
    let v: sfn_json::Value = serde_json::from_str(s).map_err(|e| {
        JsonataError::new(
            "D3205",
            format!("The argument of $parse is not valid JSON: {e}"),
        )
    })?;
    Ok(crate::convert::owned(v))
}
