//! Deployment package size: the arm64 `bootstrap` that `sam build` produces, and its zip.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageSize {
    pub bootstrap_bytes: u64,
    pub zip_bytes: u64,
}

/// `sam build` puts each function under its logical id: `submit-order` → `SubmitOrderFunction`.
pub fn logical_id(function: &str) -> String {
    let mut id: String = function
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    id.push_str("Function");
    id
}

/// Size of the built bootstrap and of the zip Lambda would receive (deflate, as `sam deploy`).
pub fn measure(sam_build_dir: &Path, function: &str) -> std::io::Result<Option<PackageSize>> {
    let bootstrap: PathBuf = sam_build_dir.join(logical_id(function)).join("bootstrap");
    if !bootstrap.exists() {
        return Ok(None);
    }
    let bytes = std::fs::read(&bootstrap)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options)
        .map_err(std::io::Error::other)?;
    zip.write_all(&bytes)?;
    let zipped = zip.finish().map_err(std::io::Error::other)?.into_inner();
    Ok(Some(PackageSize {
        bootstrap_bytes: bytes.len() as u64,
        zip_bytes: zipped.len() as u64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_follow_the_template_convention() {
        assert_eq!(logical_id("submit-order"), "SubmitOrderFunction");
        assert_eq!(
            logical_id("award-loyalty-points"),
            "AwardLoyaltyPointsFunction"
        );
    }

    #[test]
    fn zip_of_a_built_bootstrap_is_measured() {
        let dir = std::env::temp_dir().join(format!("fn-bench-{}", std::process::id()));
        let function_dir = dir.join("ValidateOrderFunction");
        std::fs::create_dir_all(&function_dir).unwrap();
        std::fs::write(function_dir.join("bootstrap"), vec![b'a'; 100_000]).unwrap();
        let size = measure(&dir, "validate-order").unwrap().unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(size.bootstrap_bytes, 100_000);
        assert!(
            size.zip_bytes < 10_000,
            "repetitive content must compress: {size:?}"
        );
        assert!(measure(&dir, "validate-order").unwrap().is_none());
    }
}
