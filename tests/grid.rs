//! make_grid / save_image against hand-computed grids (torchvision.utils semantics).

use candle_core::{DType, Device, Tensor};
use candle_tensorboard::grid::{make_grid, make_grid_list, save_image, GridOptions};

fn dev() -> Device {
    Device::Cpu
}

/// Channel `c` of a (C, H, W) grid as rows.
fn channel(g: &Tensor, c: usize) -> Vec<Vec<f32>> {
    g.get(c).unwrap().to_vec2::<f32>().unwrap()
}

/// Batch of `n` grey 2x2 images, image k filled with k + 1.
fn constant_batch(n: usize) -> Tensor {
    let mut v = Vec::new();
    for k in 0..n {
        v.extend([(k + 1) as f32; 4]);
    }
    Tensor::from_vec(v, (n, 1, 2, 2), &dev()).unwrap()
}

#[test]
fn defaults_are_torchvisions() {
    let o = GridOptions::default();
    assert_eq!(o.nrow, 8);
    assert_eq!(o.padding, 2);
    assert!(!o.normalize);
    assert_eq!(o.value_range, None);
    assert!(!o.scale_each);
    assert_eq!(o.pad_value, 0.0);
}

#[test]
fn padding_nrow_pad_value_and_short_last_row() {
    let opts = GridOptions {
        nrow: 2,
        padding: 1,
        pad_value: 9.0,
        ..Default::default()
    };
    let g = make_grid(&constant_batch(3), &opts).unwrap();
    // (C, (H+p)*rows + p, (W+p)*cols + p) = (3, 3*2+1, 3*2+1)
    assert_eq!(g.dims(), &[3, 7, 7]);
    let p = 9.0;
    let expected = vec![
        vec![p, p, p, p, p, p, p],
        vec![p, 1., 1., p, 2., 2., p],
        vec![p, 1., 1., p, 2., 2., p],
        vec![p, p, p, p, p, p, p],
        vec![p, 3., 3., p, p, p, p],
        vec![p, 3., 3., p, p, p, p],
        vec![p, p, p, p, p, p, p],
    ];
    for c in 0..3 {
        assert_eq!(channel(&g, c), expected, "channel {c}");
    }
    assert_eq!(g.dtype(), DType::F32);
}

#[test]
fn non_square_images_keep_orientation() {
    // Two 3-channel 2x3 images; channel c of image i holds 100*i + 10*c + (3*y + x).
    let mut v = Vec::new();
    for i in 0..2 {
        for c in 0..3 {
            for k in 0..6 {
                v.push((100 * i + 10 * c + k) as f32);
            }
        }
    }
    let batch = Tensor::from_vec(v, (2, 3, 2, 3), &dev()).unwrap();
    let g = make_grid(
        &batch,
        &GridOptions {
            padding: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g.dims(), &[3, 4, 9]);
    for c in 0..3 {
        let o = (10 * c) as f32;
        let q = 100.0 + o;
        assert_eq!(
            channel(&g, c),
            vec![
                vec![0.; 9],
                vec![0., o, o + 1., o + 2., 0., q, q + 1., q + 2., 0.],
                vec![0., o + 3., o + 4., o + 5., 0., q + 3., q + 4., q + 5., 0.],
                vec![0.; 9],
            ]
        );
    }
}

#[test]
fn zero_padding_tiles_edge_to_edge() {
    let g = make_grid(
        &constant_batch(4),
        &GridOptions {
            nrow: 3,
            padding: 0,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g.dims(), &[3, 4, 6]);
    assert_eq!(
        channel(&g, 1),
        vec![
            vec![1., 1., 2., 2., 3., 3.],
            vec![1., 1., 2., 2., 3., 3.],
            vec![4., 4., 0., 0., 0., 0.],
            vec![4., 4., 0., 0., 0., 0.],
        ]
    );
}

/// Two grey 1x2 images: [-1, 1] and [3, 0].
fn two_pairs() -> Tensor {
    Tensor::from_vec(vec![-1f32, 1., 3., 0.], (2, 1, 1, 2), &dev()).unwrap()
}

fn flat_opts() -> GridOptions {
    GridOptions {
        padding: 0,
        normalize: true,
        ..Default::default()
    }
}

#[test]
fn normalize_over_the_batch() {
    // min -1, max 3: (x + 1) / 4
    let g = make_grid(&two_pairs(), &flat_opts()).unwrap();
    assert_eq!(g.dims(), &[3, 1, 4]);
    for c in 0..3 {
        assert_eq!(channel(&g, c), vec![vec![0., 0.5, 1., 0.25]]);
    }
}

#[test]
fn normalize_each_image() {
    // image 0: (x + 1) / 2; image 1: x / 3
    let g = make_grid(
        &two_pairs(),
        &GridOptions {
            scale_each: true,
            ..flat_opts()
        },
    )
    .unwrap();
    assert_eq!(channel(&g, 0), vec![vec![0., 1., 1., 0.]]);
}

#[test]
fn normalize_with_value_range_clamps_first() {
    // clamp to [0, 2] -> [0, 1, 2, 0], then / 2
    let g = make_grid(
        &two_pairs(),
        &GridOptions {
            value_range: Some((0.0, 2.0)),
            ..flat_opts()
        },
    )
    .unwrap();
    assert_eq!(channel(&g, 2), vec![vec![0., 0.5, 1., 0.]]);
    // value_range wins over scale_each (torchvision passes the range to every image).
    let g = make_grid(
        &two_pairs(),
        &GridOptions {
            value_range: Some((0.0, 2.0)),
            scale_each: true,
            ..flat_opts()
        },
    )
    .unwrap();
    assert_eq!(channel(&g, 2), vec![vec![0., 0.5, 1., 0.]]);
}

#[test]
fn normalize_constant_image_divides_by_1e5() {
    let t = Tensor::from_vec(vec![5f32, 5., 7., 7.], (2, 1, 1, 2), &dev()).unwrap();
    let g = make_grid(
        &t,
        &GridOptions {
            scale_each: true,
            ..flat_opts()
        },
    )
    .unwrap();
    assert_eq!(channel(&g, 0), vec![vec![0., 0., 0., 0.]]);
    // Over the batch: (x - 5) / 2.
    let g = make_grid(&t, &flat_opts()).unwrap();
    assert_eq!(channel(&g, 0), vec![vec![0., 0., 1., 1.]]);
}

#[test]
fn normalize_divides_like_torch_in_f32() {
    // low 0, high 3: 1/3 must be the f32 quotient 1f32 / 3f32, not 1 * (1/3).
    let t = Tensor::from_vec(vec![0f32, 1., 2., 3.], (2, 1, 1, 2), &dev()).unwrap();
    let g = make_grid(&t, &flat_opts()).unwrap();
    assert_eq!(channel(&g, 0), vec![vec![0., 1f32 / 3f32, 2f32 / 3f32, 1.]]);
}

#[test]
fn batch_of_one_is_the_image_without_padding() {
    let t = Tensor::from_vec(vec![0f32, 2., 4., 6., 8., 10.], (1, 1, 2, 3), &dev()).unwrap();
    let g = make_grid(&t, &GridOptions::default()).unwrap();
    assert_eq!(g.dims(), &[3, 2, 3]);
    assert_eq!(channel(&g, 1), vec![vec![0., 2., 4.], vec![6., 8., 10.]]);
    // ... normalized when asked: (x - 0) / 10
    let g = make_grid(
        &t,
        &GridOptions {
            normalize: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        channel(&g, 0),
        vec![vec![0., 0.2, 0.4], vec![0.6, 0.8, 1.0]]
    );
}

#[test]
fn two_d_and_three_d_inputs() {
    let hw = Tensor::from_vec(vec![1f32, 2., 3., 4., 5., 6.], (2, 3), &dev()).unwrap();
    let g = make_grid(&hw, &GridOptions::default()).unwrap();
    assert_eq!(g.dims(), &[3, 2, 3]);
    for c in 0..3 {
        assert_eq!(channel(&g, c), vec![vec![1., 2., 3.], vec![4., 5., 6.]]);
    }
    // (1, H, W): one channel becomes three.
    let g = make_grid(&hw.unsqueeze(0).unwrap(), &GridOptions::default()).unwrap();
    assert_eq!(g.dims(), &[3, 2, 3]);
    // (3, H, W) is returned as it is.
    let chw = Tensor::arange(0f32, 18., &dev())
        .unwrap()
        .reshape((3, 2, 3))
        .unwrap();
    let g = make_grid(&chw, &GridOptions::default()).unwrap();
    assert_eq!(g.to_vec3::<f32>().unwrap(), chw.to_vec3::<f32>().unwrap());
    // (2, H, W) keeps two channels, as torchvision.
    let two = chw.narrow(0, 0, 2).unwrap();
    assert_eq!(
        make_grid(&two, &GridOptions::default()).unwrap().dims(),
        &[2, 2, 3]
    );
}

#[test]
fn dtype_is_kept_without_normalize_and_f32_with_it() {
    let t = Tensor::from_vec(vec![10u8, 20, 30, 40], (2, 1, 1, 2), &dev()).unwrap();
    let g = make_grid(
        &t,
        &GridOptions {
            padding: 1,
            pad_value: 255.0,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g.dtype(), DType::U8);
    assert_eq!(
        g.get(0).unwrap().to_vec2::<u8>().unwrap(),
        vec![
            vec![255, 255, 255, 255, 255, 255, 255],
            vec![255, 10, 20, 255, 30, 40, 255],
            vec![255, 255, 255, 255, 255, 255, 255],
        ]
    );
    let g = make_grid(&t, &flat_opts()).unwrap();
    assert_eq!(g.dtype(), DType::F32);
    assert_eq!(channel(&g, 0), vec![vec![0., 1. / 3., 2. / 3., 1.]]);
}

#[test]
fn list_of_images() {
    let a = Tensor::ones((3, 2, 2), DType::F32, &dev()).unwrap();
    let b = Tensor::zeros((3, 2, 2), DType::F32, &dev()).unwrap();
    let g = make_grid_list(&[a.clone(), b], &GridOptions::default()).unwrap();
    assert_eq!(g.dims(), &[3, 6, 10]);
    let c = Tensor::zeros((3, 2, 3), DType::F32, &dev()).unwrap();
    let err = make_grid_list(&[a, c], &GridOptions::default()).unwrap_err();
    assert!(
        matches!(err.events(), Some(tfevents::Error::BadShape { shape, .. }) if shape == &[3, 2, 3]),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("image 1 (image 0 has shape [3, 2, 2]) has shape [3, 2, 3]"),
        "{msg}"
    );
    assert!(matches!(
        make_grid_list(&[], &GridOptions::default())
            .unwrap_err()
            .events(),
        Some(tfevents::Error::Empty { .. })
    ));
}

#[test]
fn bad_inputs_are_errors() {
    let o = GridOptions::default();
    let z = Tensor::zeros((0, 3, 2, 2), DType::F32, &dev()).unwrap();
    let err = make_grid(&z, &o).unwrap_err();
    assert!(
        matches!(err.events(), Some(tfevents::Error::BadShape { shape, .. }) if shape == &[0, 3, 2, 2]),
        "{err:?}"
    );
    assert!(err.to_string().contains("at least 1x1 pixels"), "{err}");
    let r5 = Tensor::zeros((1, 1, 3, 2, 2), DType::F32, &dev()).unwrap();
    let err = make_grid(&r5, &o).unwrap_err();
    assert!(
        matches!(err.events(), Some(tfevents::Error::BadShape { shape, .. }) if shape.len() == 5),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("(N, C, H, W), (C, H, W) or (H, W)"),
        "{err}"
    );
    let r1 = Tensor::zeros(4, DType::F32, &dev()).unwrap();
    assert!(make_grid(&r1, &o).is_err());
    let t = constant_batch(2);
    assert!(make_grid(&t, &GridOptions { nrow: 0, ..o }).is_err());
    let bad_range = GridOptions {
        normalize: true,
        value_range: Some((1.0, 0.0)),
        ..o
    };
    assert!(make_grid(&t, &bad_range).is_err());
}

#[test]
fn save_image_rounds_like_torchvision() {
    // v * 255 + 0.5, clamped, truncated.
    let vals = vec![0f32, 0.5, 1.0, 0.25, 0.998, -0.2, 1.5, 0.0019];
    let t = Tensor::from_vec(vals, (1, 2, 4), &dev()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grid.png");
    save_image(&t, &path, &GridOptions::default()).unwrap();
    let img = image::open(&path).unwrap();
    assert_eq!((img.width(), img.height()), (4, 2));
    let rgb = img.to_rgb8();
    let grey: Vec<u8> = rgb.pixels().map(|p| p[0]).collect();
    // 0.5 -> 128, 0.25 -> 64.25 -> 64, 0.998 -> 254.99 -> 254, 0.0019 -> 0.98 -> 0
    assert_eq!(grey, vec![0, 128, 255, 64, 254, 0, 255, 0]);
    assert!(rgb.pixels().all(|p| p[0] == p[1] && p[1] == p[2]));
    assert!(save_image(&t, dir.path().join("grid.jpg"), &GridOptions::default()).is_err());
}

/// Sizes that overflow or exceed the limit are refused before anything is allocated, with an
/// error that names the size; a batch of one ignores the padding, as torchvision does.
#[test]
fn huge_padding_and_nrow_are_errors_not_wrong_grids() {
    use candle_tensorboard::grid::MAX_GRID_VALUES;
    use candle_tensorboard::Error;
    use tfevents::Error as Core;
    let batch = constant_batch(3);
    for padding in [usize::MAX, 1 << 40] {
        for normalize in [false, true] {
            let o = GridOptions {
                padding,
                normalize,
                ..Default::default()
            };
            match make_grid(&batch, &o) {
                Err(Error::Events(Core::TooLarge { bytes, limit, .. })) => {
                    assert_eq!(limit, MAX_GRID_VALUES);
                    assert!(bytes > limit as u128, "{bytes}");
                }
                other => panic!("padding {padding}: expected TooLarge, got {other:?}"),
            }
            let dir = tempfile::tempdir().unwrap();
            let saved = save_image(&batch, dir.path().join("g.png"), &o);
            assert!(
                matches!(saved, Err(Error::Events(Core::TooLarge { .. }))),
                "{saved:?}"
            );
            assert!(!dir.path().join("g.png").exists());
            let list = [batch.get(0).unwrap(), batch.get(1).unwrap()];
            assert!(matches!(
                make_grid_list(&list, &o),
                Err(Error::Events(Core::TooLarge { .. }))
            ));
        }
        // The message says why, in words a caller can act on.
        let msg = make_grid(
            &batch,
            &GridOptions {
                padding,
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(msg.contains("over the limit"), "{msg}");
        // A batch of one has no padding at all.
        let one = make_grid(
            &constant_batch(1),
            &GridOptions {
                padding,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(one.dims(), &[3, 2, 2]);
    }
    // nrow = 0 is an argument error; nrow = usize::MAX puts every image in one row.
    assert!(matches!(
        make_grid(
            &batch,
            &GridOptions {
                nrow: 0,
                ..Default::default()
            }
        ),
        Err(Error::Events(Core::BadNumber { ref what, .. })) if what == "nrow"
    ));
    let row = make_grid(
        &batch,
        &GridOptions {
            nrow: usize::MAX,
            padding: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(row.dims(), &[3, 2 + 2, (2 + 1) * 3 + 1]);
    // A grid just over the limit is refused; the same shape with less padding is not.
    let wide = Tensor::zeros((2, 1, 1, 1), DType::U8, &dev()).unwrap();
    let p = 30_000;
    // (1 + p) * 1 + p rows, (1 + p) * 2 + p columns, 3 channels: about 1.6e10 values.
    assert!(matches!(
        make_grid(
            &wide,
            &GridOptions {
                padding: p,
                ..Default::default()
            }
        ),
        Err(Error::Events(Core::TooLarge { .. }))
    ));
}
