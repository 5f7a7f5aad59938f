//! add_image / add_images through the writer, read back with our reader, PNGs decoded.

use candle_core::{DType, Device, Tensor};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::proto::{event, summary, Event};
use candle_tensorboard::reader::EventFileReader;
use candle_tensorboard::summary::image::{to_image_u8, DataFormat, ImageU8};
use candle_tensorboard::SummaryWriter;

fn events(path: &std::path::Path) -> Vec<Event> {
    EventFileReader::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// (tag, step, Summary.Image) of every image event.
fn images(evs: &[Event]) -> Vec<(String, i64, summary::Image)> {
    let mut out = Vec::new();
    for e in evs {
        if let Some(event::What::Summary(s)) = &e.what {
            for v in &s.value {
                if let Some(summary::value::Value::Image(im)) = &v.value {
                    out.push((v.tag.clone(), e.step, im.clone()));
                }
            }
        }
    }
    out
}

/// Decoded PNG as (height, width, channels, bytes).
fn decode(bytes: &[u8]) -> (usize, usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (
        info.height as usize,
        info.width as usize,
        info.color_type.samples(),
        buf,
    )
}

fn assert_same(im: &summary::Image, want: &ImageU8) {
    assert_eq!(
        (
            im.height as usize,
            im.width as usize,
            im.colorspace as usize
        ),
        (want.height(), want.width(), want.channels())
    );
    let (h, w, c, px) = decode(&im.encoded_image_string);
    assert_eq!((h, w, c), (want.height(), want.width(), want.channels()));
    assert_eq!(px, want.data());
}

#[test]
fn the_seeds_five_images_and_a_grid_round_trip() {
    let dev = Device::Cpu;
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let randn = Tensor::randn(0f32, 1., (3, 64, 48), &dev).unwrap();
    let ones = Tensor::ones((3, 64, 48), DType::F32, &dev).unwrap();
    let ones11 = (&ones * 1.1).unwrap();
    let rand_hw = Tensor::rand(0f32, 1., (64, 48), &dev).unwrap();
    let rand_hwc = Tensor::rand(0f32, 1., (64, 48, 3), &dev).unwrap();
    w.add_image("fake_img", &randn, 1).unwrap();
    w.add_image("fake_img", &ones, 2).unwrap();
    w.add_scalar("between", 1.0, 2).unwrap();
    w.add_image("fake_img", &ones11, 3).unwrap();
    w.add_image_with_format("fake_img", &rand_hw, 4, "HW")
        .unwrap();
    w.add_image_with_format("fake_img", &rand_hwc, 5, DataFormat::HWC)
        .unwrap();
    let fmap = Tensor::randn(0f32, 1., (10, 1, 5, 7), &dev).unwrap();
    let grid = make_grid(
        &fmap,
        &GridOptions {
            normalize: true,
            scale_each: true,
            nrow: 4,
            ..Default::default()
        },
    )
    .unwrap();
    w.add_image("feature map", &grid, 1).unwrap();
    w.add_images("batch", fmap.affine(0.1, 0.5).unwrap(), 7)
        .unwrap();
    w.close().unwrap();

    let evs = events(w.file_path());
    // Events stay in call order, deferred PNG jobs included.
    let kinds: Vec<i64> = evs.iter().skip(1).map(|e| e.step).collect();
    assert_eq!(kinds, vec![1, 2, 2, 3, 4, 5, 1, 7]);
    let imgs = images(&evs);
    assert_eq!(imgs.len(), 7);
    let expected = [
        to_image_u8(&randn, DataFormat::CHW).unwrap(),
        to_image_u8(&ones, DataFormat::CHW).unwrap(),
        to_image_u8(&ones11, DataFormat::CHW).unwrap(),
        to_image_u8(&rand_hw, DataFormat::HW).unwrap(),
        to_image_u8(&rand_hwc, DataFormat::HWC).unwrap(),
        to_image_u8(&grid, DataFormat::CHW).unwrap(),
        to_image_u8(fmap.affine(0.1, 0.5).unwrap(), DataFormat::NCHW).unwrap(),
    ];
    for ((tag, _, im), want) in imgs.iter().zip(&expected) {
        assert_same(im, want);
        assert!(tag == "fake_img" || tag == "feature map" || tag == "batch");
    }
    // White stays white, 1.1 clips to white.
    assert!(expected[1].data().iter().all(|&b| b == 255));
    assert!(expected[2].data().iter().all(|&b| b == 255));
    // The grid: 3 x (7*3+2) x (9*4+2); the batch: 2 rows of 8 tiles of 5x7.
    assert_eq!((imgs[5].2.height, imgs[5].2.width), (23, 38));
    assert_eq!((imgs[6].2.height, imgs[6].2.width), (10, 56));
}

#[test]
fn non_square_images_keep_orientation_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let v: Vec<u8> = (0..18).map(|k| k * 14).collect();
    let t = Tensor::from_vec(v, (3, 2, 3), &Device::Cpu).unwrap();
    w.add_image("wide", &t, 0).unwrap();
    w.add_image("tall", t.transpose(1, 2).unwrap(), 0).unwrap();
    w.close().unwrap();
    let imgs = images(&events(w.file_path()));
    let (h, wd, _, px) = decode(&imgs[0].2.encoded_image_string);
    assert_eq!((h, wd), (2, 3));
    assert_eq!((imgs[0].2.height, imgs[0].2.width), (2, 3));
    // Pixel (row 1, column 2) is (t[0,1,2], t[1,1,2], t[2,1,2]) = (5, 11, 17) * 14.
    assert_eq!(&px[(3 + 2) * 3..(3 + 2) * 3 + 3], &[70, 154, 238]);
    let (h, wd, _, px) = decode(&imgs[1].2.encoded_image_string);
    assert_eq!((h, wd), (3, 2));
    assert_eq!((imgs[1].2.height, imgs[1].2.width), (3, 2));
    // Transposed: pixel (row 2, column 1) is t[:, 1, 2].
    assert_eq!(&px[(2 * 2 + 1) * 3..(2 * 2 + 1) * 3 + 3], &[70, 154, 238]);
}

#[test]
fn errors_come_back_at_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let t = Tensor::zeros((3, 4, 5), DType::F32, &Device::Cpu).unwrap();
    assert!(w.add_image_with_format("x", &t, 0, "HW").is_err());
    assert!(w.add_image_with_format("x", &t, 0, "CHH").is_err());
    assert!(w.add_images("x", &t, 0).is_err());
    assert!(w.add_images_with_format("x", &t, 0, "CHW").is_err());
    assert!(w.add_image("", &t, 0).is_err());
    let nan = Tensor::new(&[[f32::NAN]], &Device::Cpu).unwrap();
    assert!(w.add_image_with_format("x", &nan, 0, "HW").is_err());
    // The writer still works afterwards.
    w.add_image("ok", &t, 0).unwrap();
    w.close().unwrap();
    assert_eq!(images(&events(w.file_path())).len(), 1);
}

#[test]
fn image_crate_buffers_and_slices() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let rgb = image::RgbImage::from_fn(5, 2, |x, y| image::Rgb([x as u8 * 50, y as u8 * 100, 9]));
    w.add_image("rgb", &rgb, 0).unwrap();
    let data: Vec<f32> = (0..6).map(|k| k as f32 / 8.0).collect();
    w.add_image_with_format("slice", (&data[..], [2usize, 3]), 0, "HW")
        .unwrap();
    w.close().unwrap();
    let imgs = images(&events(w.file_path()));
    assert_same(&imgs[0].2, &to_image_u8(&rgb, DataFormat::HWC).unwrap());
    let (h, wd, c, px) = decode(&imgs[1].2.encoded_image_string);
    assert_eq!((h, wd, c), (2, 3, 3));
    // k/8 * 255 truncated: 0, 31, 63, 95, 127, 159
    let grey: Vec<u8> = px.chunks(3).map(|p| p[0]).collect();
    assert_eq!(grey, vec![0, 31, 63, 95, 127, 159]);
}
