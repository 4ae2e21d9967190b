//! Deployment package size: the arm64 `bootstrap` (as `cargo lambda build --release --arm64`
//! or `sam build` produces it) and the zip Lambda receives.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageSize {
    pub bootstrap_bytes: u64,
    pub zip_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("zip: {0}")]
    Write(std::io::Error),
    #[error("{path} is not an arm64 ELF executable ({found}): the package size must be arm64's")]
    NotArm64 { path: String, found: &'static str },
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

/// Where the function's arm64 bootstrap is: cargo-lambda's layout (`<dir>/<function>/bootstrap`)
/// first, then `sam build`'s (`<dir>/<LogicalId>/bootstrap`).
pub fn find_bootstrap(dirs: &[&Path], function: &str) -> Option<PathBuf> {
    dirs.iter()
        .flat_map(|dir| {
            [
                dir.join(function).join("bootstrap"),
                dir.join(logical_id(function)).join("bootstrap"),
            ]
        })
        .find(|path| path.is_file())
}

/// The machine an ELF header says the binary is for.
fn elf_machine(bytes: &[u8]) -> &'static str {
    const EM_X86_64: u16 = 62;
    const EM_AARCH64: u16 = 183;
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return "not ELF";
    }
    // e_machine is at offset 18; byte order from EI_DATA (1 = little endian).
    let (Some(&a), Some(&b)) = (bytes.get(18), bytes.get(19)) else {
        return "truncated ELF";
    };
    let machine = match bytes.get(5) {
        Some(2) => u16::from_be_bytes([a, b]),
        _ => u16::from_le_bytes([a, b]),
    };
    match machine {
        EM_AARCH64 => "aarch64",
        EM_X86_64 => "x86_64",
        _ => "other ELF",
    }
}

/// Size of an arm64 bootstrap and of the zip Lambda would receive (deflate, as `sam deploy`).
pub fn measure(bootstrap: &Path) -> Result<PackageSize, PackageError> {
    let bytes = std::fs::read(bootstrap).map_err(|source| PackageError::Read {
        path: bootstrap.display().to_string(),
        source,
    })?;
    match elf_machine(&bytes) {
        "aarch64" => {}
        found => {
            return Err(PackageError::NotArm64 {
                path: bootstrap.display().to_string(),
                found,
            });
        }
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options)?;
    zip.write_all(&bytes).map_err(PackageError::Write)?;
    let zipped = zip.finish()?.into_inner();
    Ok(PackageSize {
        bootstrap_bytes: bytes.len() as u64,
        zip_bytes: zipped.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF header for `machine` (little endian), padded with compressible bytes.
    fn fake_elf(machine: u16, len: usize) -> Vec<u8> {
        let mut bytes = vec![b'a'; len];
        bytes[..4].copy_from_slice(b"\x7fELF");
        bytes[4] = 2; // 64-bit
        bytes[5] = 1; // little endian
        bytes[18..20].copy_from_slice(&machine.to_le_bytes());
        bytes
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("fn-bench-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn logical_ids_follow_the_template_convention() {
        assert_eq!(logical_id("submit-order"), "SubmitOrderFunction");
        assert_eq!(
            logical_id("award-loyalty-points"),
            "AwardLoyaltyPointsFunction"
        );
    }

    #[test]
    fn bootstraps_are_found_in_the_cargo_lambda_then_the_sam_layout() {
        let dir = temp_dir("layout");
        let sam = dir.join("ValidateOrderFunction");
        std::fs::create_dir_all(&sam).unwrap();
        std::fs::write(sam.join("bootstrap"), b"x").unwrap();
        assert_eq!(
            find_bootstrap(&[&dir], "validate-order"),
            Some(sam.join("bootstrap"))
        );
        let lambda = dir.join("validate-order");
        std::fs::create_dir_all(&lambda).unwrap();
        std::fs::write(lambda.join("bootstrap"), b"x").unwrap();
        assert_eq!(
            find_bootstrap(&[&dir], "validate-order"),
            Some(lambda.join("bootstrap"))
        );
        assert_eq!(find_bootstrap(&[&dir], "submit-order"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn zip_of_an_arm64_bootstrap_is_measured() {
        let dir = temp_dir("zip");
        let path = dir.join("bootstrap");
        std::fs::write(&path, fake_elf(183, 100_000)).unwrap();
        let size = measure(&path).unwrap();
        assert_eq!(size.bootstrap_bytes, 100_000);
        assert!(
            size.zip_bytes < 10_000,
            "repetitive content must compress: {size:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_host_or_non_elf_binary_is_not_taken_for_the_package() {
        let dir = temp_dir("arch");
        let path = dir.join("bootstrap");
        std::fs::write(&path, fake_elf(62, 64)).unwrap();
        let err = measure(&path).unwrap_err();
        assert!(
            matches!(
                err,
                PackageError::NotArm64 {
                    found: "x86_64",
                    ..
                }
            ),
            "{err}"
        );
        std::fs::write(&path, b"#!/bin/sh\n").unwrap();
        let err = measure(&path).unwrap_err();
        assert!(
            matches!(
                err,
                PackageError::NotArm64 {
                    found: "not ELF",
                    ..
                }
            ),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
