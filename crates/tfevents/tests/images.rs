//! Image conversion (torch.utils.tensorboard rules), PNG round trips and the image summary.
#![cfg(all(feature = "candle", feature = "image"))]

use candle_core::{DType, Device, Tensor};
use tfevents::proto;
use tfevents::summary::image::{
    encode_png, image_summary, to_image_u8, DataFormat, ImageU8, MAX_PNG_DIMENSION,
};

fn dev() -> Device {
    Device::Cpu
}

/// Deterministic pseudo-random integers (64-bit LCG, high bits).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

/// `k / 1024` is exact in f32 and `k * 255 / 1024` too, so the expected byte is integer math:
/// floor(k * 255 / 1024) clipped to 0..=255.
fn expected_byte(k: i64) -> u8 {
    if k <= 0 {
        0
    } else {
        (k * 255 / 1024).min(255) as u8
    }
}

/// `n` multiples of 1/1024 drawn roughly like randn (sum of uniforms), as (value, k).
fn randn_like(n: usize, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut r = Lcg(seed);
    let ks: Vec<i64> = (0..n)
        .map(|_| {
            let s: i64 = (0..4).map(|_| (r.next() % 2048) as i64).sum();
            // mean 0, sd about 1.15 * 1024 / 1024
            s - 4094
        })
        .collect();
    (ks.iter().map(|&k| k as f32 / 1024.0).collect(), ks)
}

/// `n` multiples of 1/1024 in [0, 1), like torch.rand.
fn rand_like(n: usize, seed: u64) -> (Vec<f32>, Vec<i64>) {
    let mut r = Lcg(seed);
    let ks: Vec<i64> = (0..n).map(|_| (r.next() % 1024) as i64).collect();
    (ks.iter().map(|&k| k as f32 / 1024.0).collect(), ks)
}

#[test]
fn seed_case_1_randn_chw_is_clipped() {
    let (v, ks) = randn_like(3 * 100 * 100, 1);
    let t = Tensor::from_vec(v, (3, 100, 100), &dev()).unwrap();
    let img = to_image_u8(&t, DataFormat::CHW).unwrap();
    assert_eq!((img.height(), img.width(), img.channels()), (100, 100, 3));
    for y in 0..100 {
        for x in 0..100 {
            let px = img.pixel(y, x).unwrap();
            for c in 0..3 {
                assert_eq!(
                    px[c],
                    expected_byte(ks[c * 10000 + y * 100 + x]),
                    "({y},{x},{c})"
                );
            }
        }
    }
    // Clipping really happened on both sides.
    assert!(img.data().contains(&0));
    assert!(img.data().contains(&255));
}

#[test]
fn seed_case_2_ones_are_white() {
    let t = Tensor::ones((3, 100, 100), DType::F32, &dev()).unwrap();
    let img = to_image_u8(&t, DataFormat::CHW).unwrap();
    assert_eq!(img.data().len(), 100 * 100 * 3);
    assert!(img.data().iter().all(|&b| b == 255));
}

#[test]
fn seed_case_3_ones_times_1_1_clip_to_white() {
    let t = (Tensor::ones((3, 100, 100), DType::F32, &dev()).unwrap() * 1.1).unwrap();
    let img = to_image_u8(&t, DataFormat::default()).unwrap();
    assert!(img.data().iter().all(|&b| b == 255));
}

#[test]
fn seed_case_4_rand_hw_is_grey() {
    let (v, ks) = rand_like(100 * 100, 4);
    let t = Tensor::from_vec(v, (100, 100), &dev()).unwrap();
    let img = to_image_u8(&t, DataFormat::HW).unwrap();
    assert_eq!((img.height(), img.width(), img.channels()), (100, 100, 3));
    for (i, px) in img.data().chunks(3).enumerate() {
        let e = expected_byte(ks[i]);
        assert_eq!(px, &[e, e, e][..], "pixel {i}");
    }
}

#[test]
fn seed_case_5_rand_hwc() {
    let (v, ks) = rand_like(100 * 100 * 3, 5);
    let t = Tensor::from_vec(v, (100, 100, 3), &dev()).unwrap();
    let img = to_image_u8(&t, DataFormat::HWC).unwrap();
    let expected: Vec<u8> = ks.iter().map(|&k| expected_byte(k)).collect();
    assert_eq!(img.data(), &expected[..]);
}

#[test]
fn scaling_rule_on_known_values() {
    let v = [
        -1.0f32,
        0.0,
        0.001,
        0.5,
        0.999,
        1.0,
        1.1,
        2.5,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.003_921_5,  // just under 1/255: 0.99998 -> 0
        0.003_921_57, // just over 1/255 -> 1
        0.2,          // 51.000004 in f32 -> 51
    ];
    // Checked with numpy: (np.float32(v) * 255).clip(0, 255).astype(np.uint8)
    let expect = [0u8, 0, 0, 127, 254, 255, 255, 255, 255, 0, 0, 1, 51];
    let t = Tensor::new(&v[..], &dev())
        .unwrap()
        .reshape((1, 13))
        .unwrap();
    let img = to_image_u8(&t, DataFormat::HW).unwrap();
    let got: Vec<u8> = img.data().chunks(3).map(|p| p[0]).collect();
    assert_eq!(got, expect);
}

#[test]
fn dtypes() {
    let grey = |t: &Tensor| -> Vec<u8> {
        to_image_u8(t, DataFormat::HW)
            .unwrap()
            .data()
            .chunks(3)
            .map(|p| p[0])
            .collect()
    };
    // u8 is taken as it is.
    let u = Tensor::new(&[[0u8, 7, 200, 255]], &dev()).unwrap();
    assert_eq!(grey(&u), vec![0, 7, 200, 255]);
    // Other integers are multiplied by 255 like floats.
    let i = Tensor::new(&[[0i64, 1, 2, -3]], &dev()).unwrap();
    assert_eq!(grey(&i), vec![0, 255, 255, 0]);
    let u32t = Tensor::new(&[[0u32, 1]], &dev()).unwrap();
    assert_eq!(grey(&u32t), vec![0, 255]);
    let f = Tensor::new(&[[0.5f64, 0.25, 1.0, 0.0]], &dev()).unwrap();
    assert_eq!(grey(&f), vec![127, 63, 255, 0]);
    for dt in [DType::F16, DType::BF16] {
        let h = f.to_dtype(dt).unwrap();
        assert_eq!(grey(&h), vec![127, 63, 255, 0], "{dt:?}");
    }
}

#[test]
fn orientation_and_formats_agree() {
    // 3x2x3 CHW with distinct values: channel c, row y, column x -> 0.1*c + 0.01*(3y + x)
    // scaled: floor((0.1c + 0.01k) * 255)
    let mut v = Vec::new();
    for c in 0..3 {
        for k in 0..6 {
            v.push(c as f32 * 0.25 + k as f32 / 32.0);
        }
    }
    let chw = Tensor::from_vec(v, (3, 2, 3), &dev()).unwrap();
    let a = to_image_u8(&chw, DataFormat::CHW).unwrap();
    assert_eq!((a.height(), a.width()), (2, 3));
    for y in 0..2 {
        for x in 0..3 {
            for c in 0..3 {
                // (c/4 + k/32) * 255 = (8c + k) * 255 / 32, exact in f32
                let k = 3 * y + x;
                let e = ((8 * c + k) * 255 / 32) as u8;
                assert_eq!(a.pixel(y, x).unwrap()[c], e);
            }
        }
    }
    // The same pixels laid out HWC, WHC and HCW (non-contiguous views and contiguous copies).
    let hwc = chw.permute((1, 2, 0)).unwrap();
    assert!(!hwc.is_contiguous());
    assert_eq!(to_image_u8(&hwc, DataFormat::HWC).unwrap(), a);
    assert_eq!(
        to_image_u8(hwc.contiguous().unwrap(), DataFormat::HWC).unwrap(),
        a
    );
    let whc = chw.permute((2, 1, 0)).unwrap().contiguous().unwrap();
    assert_eq!(
        to_image_u8(&whc, DataFormat::parse("WHC").unwrap()).unwrap(),
        a
    );
    let hcw = chw.permute((1, 0, 2)).unwrap();
    assert_eq!(to_image_u8(&hcw, "hcw".parse().unwrap()).unwrap(), a);
    // A transposed grey image.
    let hw = chw.get(0).unwrap();
    let wh = hw.t().unwrap();
    assert_eq!(
        to_image_u8(&wh, DataFormat::parse("WH").unwrap()).unwrap(),
        to_image_u8(&hw, DataFormat::HW).unwrap()
    );
    // A narrowed view starts at an offset.
    let big = Tensor::cat(&[&chw, &chw.affine(0.0, 0.0).unwrap()], 0).unwrap();
    assert_eq!(
        to_image_u8(big.narrow(0, 0, 3).unwrap(), DataFormat::CHW).unwrap(),
        a
    );
    let zeros = to_image_u8(big.narrow(0, 3, 3).unwrap(), DataFormat::CHW).unwrap();
    assert!(zeros.data().iter().all(|&b| b == 0));
}

#[test]
fn slices_with_shapes() {
    let v: Vec<f32> = (0..6).map(|k| k as f32 / 32.0).collect();
    let from_slice = to_image_u8((&v[..], [2usize, 3]), DataFormat::HW).unwrap();
    let t = Tensor::from_vec(v.clone(), (2, 3), &dev()).unwrap();
    assert_eq!(from_slice, to_image_u8(&t, DataFormat::HW).unwrap());
    let d: Vec<f64> = v.iter().map(|&x| x as f64).collect();
    assert_eq!(
        to_image_u8((&d[..], &[2usize, 3][..]), DataFormat::HW).unwrap(),
        from_slice
    );
    let bytes = [1u8, 2, 3, 4, 5, 6];
    let img = to_image_u8((&bytes[..], [1usize, 2, 3]), DataFormat::HWC).unwrap();
    assert_eq!(img.data(), &bytes[..]);
    // Wrong length.
    let err = to_image_u8((&bytes[..], [2usize, 2]), DataFormat::HW).unwrap_err();
    assert!(
        matches!(&err, tfevents::Error::ShapeMismatch { shape, needs: 4, got: 6 } if shape == &[2, 2]),
        "{err:?}"
    );
    assert!(err.to_string().contains("needs 4 values"), "{err}");
}

#[test]
fn four_channels_keep_alpha() {
    let t = Tensor::new(&[[[0u8, 1]], [[10, 11]], [[20, 21]], [[30, 31]]], &dev()).unwrap();
    let img = to_image_u8(&t, DataFormat::CHW).unwrap();
    assert_eq!(img.channels(), 4);
    assert_eq!(img.data(), &[0, 10, 20, 30, 1, 11, 21, 31]);
}

#[test]
fn batches_tile_eight_per_row_without_padding() {
    // 10 grey 2x2 images, image i filled with i * 10 (u8, unscaled).
    let mut v = Vec::new();
    for i in 0..10u8 {
        v.extend([i * 10; 4]);
    }
    let nchw = Tensor::from_vec(v, (10, 1, 2, 2), &dev()).unwrap();
    let img = to_image_u8(&nchw, DataFormat::NCHW).unwrap();
    assert_eq!((img.height(), img.width(), img.channels()), (4, 16, 3));
    for y in 0..4 {
        for x in 0..16 {
            let i = (y / 2) * 8 + x / 2;
            let e = if i < 10 { i as u8 * 10 } else { 0 };
            assert_eq!(img.pixel(y, x).unwrap(), &[e, e, e][..], "({y},{x})");
        }
    }
    let nhwc = nchw.permute((0, 2, 3, 1)).unwrap().contiguous().unwrap();
    assert_eq!(to_image_u8(&nhwc, DataFormat::NHWC).unwrap(), img);
    let cnhw = nchw.permute((1, 0, 2, 3)).unwrap();
    assert_eq!(
        to_image_u8(&cnhw, DataFormat::parse("CNHW").unwrap()).unwrap(),
        img
    );
    // Fewer than 8: one row of N.
    let three = to_image_u8(nchw.narrow(0, 0, 3).unwrap(), DataFormat::NCHW).unwrap();
    assert_eq!((three.height(), three.width()), (2, 6));
}

#[test]
fn format_parsing() {
    assert_eq!(DataFormat::default(), DataFormat::CHW);
    assert_eq!(DataFormat::parse("nhwc").unwrap(), DataFormat::NHWC);
    assert_eq!(DataFormat::parse("HW").unwrap().rank(), 2);
    assert_eq!(DataFormat::parse("WCNH").unwrap().to_string(), "WCNH");
    for bad in ["", "H", "CHH", "cC", "CHX", "NHW", "NCHWX", "HC", "NNHW"] {
        assert!(
            DataFormat::parse(bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
    let err = DataFormat::parse("CHH").unwrap_err();
    assert!(
        matches!(&err, tfevents::Error::BadDataFormat { format, .. } if format == "CHH"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("twice"), "{msg}");
    let msg = DataFormat::parse("CHX").unwrap_err().to_string();
    assert!(msg.contains("`X`"), "{msg}");
    // All 24 orders of NCHW parse.
    let letters = ['N', 'C', 'H', 'W'];
    let mut count = 0;
    for a in 0..4 {
        for b in 0..4 {
            for c in 0..4 {
                for d in 0..4 {
                    let s: String = [a, b, c, d].iter().map(|&i| letters[i]).collect();
                    let distinct = a != b && a != c && a != d && b != c && b != d && c != d;
                    assert_eq!(DataFormat::parse(&s).is_ok(), distinct, "{s}");
                    count += distinct as usize;
                }
            }
        }
    }
    assert_eq!(count, 24);
}

#[test]
fn shape_errors() {
    let t = Tensor::zeros((3, 4, 5), DType::F32, &dev()).unwrap();
    let msg = to_image_u8(&t, DataFormat::HW).unwrap_err().to_string();
    assert!(
        msg.contains("3 dimensions") && msg.contains("2 letters"),
        "{msg}"
    );
    assert!(to_image_u8(&t, DataFormat::NCHW).is_err());
    let zero = Tensor::zeros((3, 0, 5), DType::F32, &dev()).unwrap();
    assert!(to_image_u8(&zero, DataFormat::CHW).is_err());
    let two = Tensor::zeros((2, 4, 5), DType::F32, &dev()).unwrap();
    assert!(to_image_u8(&two, DataFormat::CHW)
        .unwrap_err()
        .to_string()
        .contains("2 channels"));
    let five = Tensor::zeros((4, 5, 5), DType::F32, &dev()).unwrap();
    assert!(to_image_u8(&five, DataFormat::HWC)
        .unwrap_err()
        .to_string()
        .contains("5 channels"));
    let batch5 = Tensor::zeros((2, 5, 4, 4), DType::F32, &dev()).unwrap();
    assert!(to_image_u8(&batch5, DataFormat::NCHW).is_err());
}

#[test]
fn nan_pixels_are_an_error_with_a_count() {
    let t = Tensor::new(&[[0.5f32, f32::NAN, 0.1, f32::NAN]], &dev()).unwrap();
    let err = to_image_u8(&t, DataFormat::HW).unwrap_err();
    assert!(
        matches!(
            err,
            tfevents::Error::NanPixels {
                count: 2,
                total: 4,
                tag: None
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("2 of 4 pixel values are nan"),
        "{err}"
    );
}

#[test]
fn over_png_limits_is_an_error_without_allocating() {
    // A broadcast view: 2^31 columns backed by one byte.
    let one = Tensor::zeros((1, 1), DType::U8, &dev()).unwrap();
    let wide = one.broadcast_as((1, MAX_PNG_DIMENSION + 1)).unwrap();
    let err = to_image_u8(&wide, DataFormat::HW).unwrap_err();
    assert!(
        matches!(err, tfevents::Error::OutOfRange { max, .. } if max == MAX_PNG_DIMENSION as f64),
        "{err}"
    );
    // 3 x 30000 x 30000 is within PNG's dimensions but 2.7 GB of pixels.
    let huge = Tensor::zeros((1, 1, 1), DType::F32, &dev())
        .unwrap()
        .broadcast_as((3, 30000, 30000))
        .unwrap();
    let err = to_image_u8(&huge, DataFormat::CHW).unwrap_err();
    assert!(
        matches!(
            err,
            tfevents::Error::TooLarge {
                bytes: 2_700_000_000,
                limit: tfevents::summary::image::MAX_IMAGE_BYTES,
                ..
            }
        ),
        "{err:?}"
    );
    // A batch whose grid would be too wide.
    let many = Tensor::zeros((1, 1, 1, 1), DType::U8, &dev())
        .unwrap()
        .broadcast_as((8, 1, 1, MAX_PNG_DIMENSION / 4))
        .unwrap();
    assert!(to_image_u8(&many, DataFormat::NCHW).is_err());
    assert!(ImageU8::new(1, MAX_PNG_DIMENSION + 1, 3, Vec::new()).is_err());
    assert!(ImageU8::new(0, 1, 3, Vec::new()).is_err());
    assert!(ImageU8::new(1, 1, 5, vec![0; 5]).is_err());
    assert!(ImageU8::new(1, 2, 3, vec![0; 5]).is_err());
}

#[test]
fn image_crate_inputs() {
    let rgb = image::RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let img = to_image_u8(&rgb, DataFormat::CHW).unwrap();
    assert_eq!((img.height(), img.width(), img.channels()), (2, 3, 3));
    assert_eq!(img.pixel(1, 2).unwrap(), &[2, 1, 7]);
    let grey = image::GrayImage::from_fn(3, 2, |x, y| image::Luma([(10 * y + x) as u8]));
    let img = to_image_u8(&grey, DataFormat::CHW).unwrap();
    assert_eq!(img.channels(), 3);
    assert_eq!(img.pixel(1, 2).unwrap(), &[12, 12, 12]);
    let rgba = image::RgbaImage::from_fn(2, 1, |x, _| image::Rgba([1, 2, 3, x as u8]));
    assert_eq!(
        to_image_u8(&rgba, DataFormat::CHW).unwrap().data(),
        &[1, 2, 3, 0, 1, 2, 3, 1]
    );
    let dynamic = image::DynamicImage::ImageLumaA8(image::GrayAlphaImage::from_fn(1, 1, |_, _| {
        image::LumaA([9, 200])
    }));
    assert_eq!(
        to_image_u8(&dynamic, DataFormat::CHW).unwrap().data(),
        &[9, 9, 9, 200]
    );
    let dynamic = image::DynamicImage::ImageRgb8(rgb.clone());
    assert_eq!(
        to_image_u8(&dynamic, DataFormat::CHW).unwrap(),
        to_image_u8(&rgb, DataFormat::HWC).unwrap()
    );
}

fn decode(png_bytes: &[u8]) -> (u32, u32, png::ColorType, Vec<u8>) {
    let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, info.color_type, buf)
}

#[test]
fn png_round_trip() {
    let mut r = Lcg(9);
    for channels in 1..=4 {
        for (h, w) in [(2, 3), (3, 2), (1, 1), (17, 5)] {
            let data: Vec<u8> = (0..h * w * channels).map(|_| r.next() as u8).collect();
            let img = ImageU8::new(h, w, channels, data.clone()).unwrap();
            let png_bytes = encode_png(&img).unwrap();
            let (pw, ph, color, pixels) = decode(&png_bytes);
            assert_eq!((ph as usize, pw as usize), (h, w));
            assert_eq!(color.samples(), channels);
            assert_eq!(pixels, data, "{channels} channels {h}x{w}");
            // And through the image crate, which TensorBoard-like readers use.
            let back = image::load_from_memory(&png_bytes).unwrap();
            assert_eq!((back.height() as usize, back.width() as usize), (h, w));
        }
    }
}

#[test]
fn summary_carries_true_size_and_orientation() {
    // 2 rows x 3 columns RGB, distinct pixels, from a CHW tensor.
    let v: Vec<u8> = (0..18).collect();
    let t = Tensor::from_vec(v, (3, 2, 3), &dev()).unwrap();
    for (tensor, h, w) in [(t.clone(), 2, 3), (t.transpose(1, 2).unwrap(), 3, 2)] {
        let img = to_image_u8(&tensor, DataFormat::CHW).unwrap();
        let s = image_summary("fake_img", &img).unwrap();
        assert_eq!(s.value.len(), 1);
        assert_eq!(s.value[0].tag, "fake_img");
        assert!(s.value[0].metadata.is_none());
        let Some(proto::summary::value::Value::Image(im)) = &s.value[0].value else {
            panic!("not an image value")
        };
        assert_eq!((im.height, im.width, im.colorspace), (h, w, 3));
        let (pw, ph, _, pixels) = decode(&im.encoded_image_string);
        assert_eq!((ph as i32, pw as i32), (h, w));
        assert_eq!(pixels, img.data());
        // Pixel (y, x) channel c is tensor[c, y, x].
        for y in 0..h as usize {
            for x in 0..w as usize {
                for c in 0..3 {
                    let want = tensor
                        .get(c)
                        .unwrap()
                        .get(y)
                        .unwrap()
                        .get(x)
                        .unwrap()
                        .to_scalar::<u8>()
                        .unwrap();
                    assert_eq!(pixels[(y * w as usize + x) * 3 + c], want);
                }
            }
        }
    }
    // RGBA keeps colorspace 4.
    let rgba = ImageU8::new(1, 2, 4, vec![1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
    let s = image_summary("a", &rgba).unwrap();
    let Some(proto::summary::value::Value::Image(im)) = &s.value[0].value else {
        panic!("not an image value")
    };
    assert_eq!(im.colorspace, 4);
}
