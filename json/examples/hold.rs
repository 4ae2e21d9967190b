//! Parses a JSON file and holds the value, for `benches/parse_memory.py` to read the peak RSS:
//! `hold sfn-json FILE` or `hold serde_json FILE` (serde_json's own `from_str`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(kind), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: hold sfn-json|serde_json FILE".into());
    };
    let text = std::fs::read_to_string(path)?;
    let nodes = match kind.as_str() {
        "sfn-json" => count(&std::hint::black_box(sfn_json::from_str(&text)?)),
        "serde_json" => serde_count(&std::hint::black_box(serde_json::from_str(&text)?)),
        other => return Err(format!("unknown parser {other}").into()),
    };
    println!("{nodes} values");
    Ok(())
}

fn count(value: &sfn_json::Value) -> usize {
    1 + match value {
        sfn_json::Value::Array(items) => items.iter().map(count).sum(),
        sfn_json::Value::Object(map) => map.values().map(count).sum(),
        _ => 0,
    }
}

fn serde_count(value: &serde_json::Value) -> usize {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(serde_count).sum(),
        serde_json::Value::Object(map) => map.values().map(serde_count).sum(),
        _ => 0,
    }
}
