//! Check images: which format, how large, and whether they are worth
//! sending to classification.
//!
//! Only the header is read (through the `imagesize` crate); nothing is
//! decoded. The limits keep obviously unusable or hostile uploads (a
//! thumbnail, a decompression bomb, a file that merely claims to be an
//! image) away from the OCR and storage stages.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Jpeg,
    Png,
    Tiff,
}

impl ImageFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpeg",
            ImageFormat::Png => "png",
            ImageFormat::Tiff => "tiff",
        }
    }

    /// The MIME type to store and serve the image with.
    pub fn mime_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Tiff => "image/tiff",
        }
    }
}

/// What the header says. `width` and `height` are as stored in the file
/// (EXIF orientation is not applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Size limits for one check image.
///
/// `min_width`/`max_width` bound the image's **longer** side and
/// `min_height`/`max_height` its **shorter** side: a check is wider than
/// tall, and a photo taken with the phone upright stores the check
/// rotated (orientation lives in EXIF), which must be judged the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageLimits {
    pub max_bytes: usize,
    pub min_width: u32,
    pub min_height: u32,
    pub max_width: u32,
    pub max_height: u32,
}

impl Default for ImageLimits {
    /// * 5 MB: a 12-megapixel phone JPEG of a check is 2–4 MB, and the
    ///   Check 21 image standards are far smaller (200 dpi); 5 MB allows
    ///   any honest capture while capping what one upload can make us hold.
    /// * 200 × 100 minimum: below that no OCR can read a MICR line; it is
    ///   a floor against thumbnails and placeholder images, not a quality
    ///   target (classification judges quality).
    /// * 6000 × 6000 maximum: above the 4032 × 3024 (12 MP) that phones
    ///   produce by default, and it bounds the decoded size at 36 Mpx
    ///   (about 144 MB as RGBA), which stops a small compressed file from
    ///   expanding into gigabytes when classification decodes it.
    fn default() -> Self {
        ImageLimits {
            max_bytes: 5 * 1024 * 1024,
            min_width: 200,
            min_height: 100,
            max_width: 6000,
            max_height: 6000,
        }
    }
}

/// Why an image was refused. `side` is the caller's name for the image
/// ("front", "back"), so the message tells the customer which to retake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("{side}: the image is empty")]
    Empty { side: String },
    #[error("{side}: the image is larger than {max_bytes} bytes")]
    TooLarge { side: String, max_bytes: usize },
    #[error("{side}: not a JPEG, PNG or TIFF image")]
    NotSupported { side: String },
    #[error("{side}: the image header is damaged")]
    Corrupt { side: String },
    #[error("{side}: the image is {width}x{height} pixels, smaller than {min_width}x{min_height}")]
    TooSmall {
        side: String,
        width: u32,
        height: u32,
        min_width: u32,
        min_height: u32,
    },
    #[error("{side}: the image is {width}x{height} pixels, larger than {max_width}x{max_height}")]
    TooBig {
        side: String,
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    },
}

impl ImageError {
    /// The side the error is about, as given to [`inspect`].
    pub fn side(&self) -> &str {
        match self {
            ImageError::Empty { side }
            | ImageError::TooLarge { side, .. }
            | ImageError::NotSupported { side }
            | ImageError::Corrupt { side }
            | ImageError::TooSmall { side, .. }
            | ImageError::TooBig { side, .. } => side,
        }
    }
}

/// Reads the header of `bytes` and checks it against `limits`.
///
/// `side` only labels errors. The byte limit is checked first, so an
/// oversized upload is refused without being looked at.
pub fn inspect(side: &str, bytes: &[u8], limits: &ImageLimits) -> Result<ImageInfo, ImageError> {
    let side = side.to_string();
    if bytes.is_empty() {
        return Err(ImageError::Empty { side });
    }
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge {
            side,
            max_bytes: limits.max_bytes,
        });
    }
    // The type is settled before sizing so that the size readers of the
    // formats we refuse never run on customer bytes.
    let format = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Jpeg) => ImageFormat::Jpeg,
        Ok(imagesize::ImageType::Png) => ImageFormat::Png,
        Ok(imagesize::ImageType::Tiff) => ImageFormat::Tiff,
        // Too short to tell what it is, or another format: either way not
        // one of ours.
        Ok(_) | Err(_) => return Err(ImageError::NotSupported { side }),
    };
    let size =
        imagesize::blob_size(bytes).map_err(|_| ImageError::Corrupt { side: side.clone() })?;
    // Dimensions beyond u32 cannot come from these formats' headers; treat
    // them as damage rather than truncating.
    let (Ok(width), Ok(height)) = (u32::try_from(size.width), u32::try_from(size.height)) else {
        return Err(ImageError::Corrupt { side });
    };
    let (long, short) = (width.max(height), width.min(height));
    if long < limits.min_width || short < limits.min_height {
        return Err(ImageError::TooSmall {
            side,
            width,
            height,
            min_width: limits.min_width,
            min_height: limits.min_height,
        });
    }
    if long > limits.max_width || short > limits.max_height {
        return Err(ImageError::TooBig {
            side,
            width,
            height,
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    Ok(ImageInfo {
        format,
        width,
        height,
    })
}

#[cfg(test)]
pub(crate) mod samples {
    //! Smallest headers `imagesize` reads, built by hand so that the tests
    //! need no fixture files. They are valid as far as the header goes;
    //! no pixel data follows.

    /// PNG signature, then an IHDR chunk (length 13) with the size.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend_from_slice(&13u32.to_be_bytes());
        b.extend_from_slice(b"IHDR");
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        // Bit depth 8, colour type 2 (RGB), compression, filter, interlace.
        b.extend_from_slice(&[8, 2, 0, 0, 0]);
        // CRC (not checked by a header reader).
        b.extend_from_slice(&[0, 0, 0, 0]);
        b
    }

    /// SOI, an APP0 (JFIF) segment, then SOF0 with the size.
    pub fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        // APP0: length 16, "JFIF\0", version 1.1, units, density, no thumbnail.
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x10]);
        b.extend_from_slice(b"JFIF\0");
        b.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
        // SOF0: length 11, precision 8, height, width, 1 component.
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[1, 1, 0x11, 0]);
        b
    }

    /// Little-endian TIFF: header, then one IFD with ImageWidth (0x100)
    /// and ImageLength (0x101) as LONG values.
    pub fn tiff_le(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"II\x2a\x00".to_vec();
        b.extend_from_slice(&8u32.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        for (tag, value) in [(0x100u16, width), (0x101u16, height)] {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&4u16.to_le_bytes()); // LONG
            b.extend_from_slice(&1u32.to_le_bytes()); // count
            b.extend_from_slice(&value.to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
        b
    }

    /// Big-endian TIFF with SHORT values, as many scanners write them.
    pub fn tiff_be(width: u16, height: u16) -> Vec<u8> {
        let mut b = b"MM\x00\x2a".to_vec();
        b.extend_from_slice(&8u32.to_be_bytes());
        b.extend_from_slice(&2u16.to_be_bytes());
        for (tag, value) in [(0x100u16, width), (0x101u16, height)] {
            b.extend_from_slice(&tag.to_be_bytes());
            b.extend_from_slice(&3u16.to_be_bytes()); // SHORT
            b.extend_from_slice(&1u32.to_be_bytes());
            b.extend_from_slice(&value.to_be_bytes());
            b.extend_from_slice(&[0, 0]); // SHORT is left-justified in the 4 bytes
        }
        b.extend_from_slice(&0u32.to_be_bytes());
        b
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn ok(bytes: &[u8]) -> ImageInfo {
        inspect("front", bytes, &ImageLimits::default()).unwrap()
    }

    fn err(bytes: &[u8]) -> ImageError {
        inspect("front", bytes, &ImageLimits::default()).unwrap_err()
    }

    #[test]
    fn reads_each_format() {
        assert_eq!(
            ok(&png(1600, 700)),
            ImageInfo {
                format: ImageFormat::Png,
                width: 1600,
                height: 700
            }
        );
        assert_eq!(
            ok(&jpeg(4032, 1800)),
            ImageInfo {
                format: ImageFormat::Jpeg,
                width: 4032,
                height: 1800
            }
        );
        assert_eq!(
            ok(&tiff_le(1200, 550)),
            ImageInfo {
                format: ImageFormat::Tiff,
                width: 1200,
                height: 550
            }
        );
        assert_eq!(
            ok(&tiff_be(1200, 550)),
            ImageInfo {
                format: ImageFormat::Tiff,
                width: 1200,
                height: 550
            }
        );
    }

    #[test]
    fn portrait_capture_is_judged_like_landscape() {
        // 100 wide, 200 tall: the long side is 200, the short side 100.
        let i = ok(&jpeg(100, 200));
        assert_eq!((i.width, i.height), (100, 200));
        assert!(ok(&png(3024, 4032)).height == 4032);
    }

    #[test]
    fn size_bounds_are_inclusive() {
        ok(&png(200, 100));
        ok(&png(6000, 6000));
        assert!(matches!(err(&png(199, 100)), ImageError::TooSmall { .. }));
        assert!(matches!(err(&png(200, 99)), ImageError::TooSmall { .. }));
        assert!(matches!(err(&png(6001, 100)), ImageError::TooBig { .. }));
        assert!(matches!(err(&png(100, 6001)), ImageError::TooBig { .. }));
        assert!(matches!(err(&png(0, 0)), ImageError::TooSmall { .. }));
        assert!(matches!(
            err(&png(u32::MAX, u32::MAX)),
            ImageError::TooBig { .. }
        ));
        assert!(matches!(err(&tiff_le(1, 1)), ImageError::TooSmall { .. }));
    }

    #[test]
    fn garbage_and_other_formats() {
        let not = |b: &[u8]| {
            assert_eq!(
                err(b),
                ImageError::NotSupported {
                    side: "front".into()
                },
                "{b:?}"
            )
        };
        not(b"hello, this is not an image at all");
        not(b"\x89PN");
        not(b"GIF89a\x10\x00\x10\x00\x00\x00\x00\x00");
        not(b"BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00");
        not(b"RIFF\x00\x00\x00\x00WEBPVP8 ");
        not(&[0u8; 64]);
        not(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
        assert_eq!(
            err(b""),
            ImageError::Empty {
                side: "front".into()
            }
        );
    }

    #[test]
    fn truncated_headers_are_corrupt() {
        let png = png(1600, 700);
        assert!(matches!(err(&png[..20]), ImageError::Corrupt { .. }));
        let jpeg = jpeg(1600, 700);
        assert!(matches!(err(&jpeg[..22]), ImageError::Corrupt { .. }));
        let tiff = tiff_le(1600, 700);
        assert!(matches!(err(&tiff[..16]), ImageError::Corrupt { .. }));
        // A JPEG whose segments are not markers.
        assert!(matches!(
            err(b"\xFF\xD8\xFF\xE0\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"),
            ImageError::Corrupt { .. }
        ));
        // A TIFF with no dimension tags.
        assert!(matches!(
            err(b"II\x2a\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
            ImageError::Corrupt { .. }
        ));
    }

    #[test]
    fn byte_limit_comes_first() {
        let limits = ImageLimits {
            max_bytes: 10,
            ..ImageLimits::default()
        };
        let e = inspect("back", &png(1600, 700), &limits).unwrap_err();
        assert_eq!(
            e,
            ImageError::TooLarge {
                side: "back".into(),
                max_bytes: 10
            }
        );
        // Garbage too: its size is judged before its content.
        let e = inspect("back", &[0u8; 11], &limits).unwrap_err();
        assert!(matches!(e, ImageError::TooLarge { .. }));
        assert!(inspect("back", &png(1600, 700), &ImageLimits::default()).is_ok());
    }

    #[test]
    fn messages_name_the_side() {
        assert_eq!(
            inspect("front", b"not an image....", &ImageLimits::default())
                .unwrap_err()
                .to_string(),
            "front: not a JPEG, PNG or TIFF image"
        );
        let e = inspect("back", &png(150, 80), &ImageLimits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "back: the image is 150x80 pixels, smaller than 200x100"
        );
        assert_eq!(e.side(), "back");
        let e = inspect("back", &jpeg(7000, 3000), &ImageLimits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "back: the image is 7000x3000 pixels, larger than 6000x6000"
        );
        assert_eq!(
            inspect(
                "front",
                &[1, 2, 3],
                &ImageLimits {
                    max_bytes: 2,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .to_string(),
            "front: the image is larger than 2 bytes"
        );
    }

    #[test]
    fn default_limits() {
        let l = ImageLimits::default();
        assert_eq!(l.max_bytes, 5_242_880);
        assert_eq!((l.min_width, l.min_height), (200, 100));
        assert_eq!((l.max_width, l.max_height), (6000, 6000));
        assert_eq!(ImageFormat::Tiff.mime_type(), "image/tiff");
        assert_eq!(ImageFormat::Jpeg.as_str(), "jpeg");
    }
}
