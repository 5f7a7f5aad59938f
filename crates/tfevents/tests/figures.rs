//! Figures: the helpers draw what they say (checked on the pixels), bad data is an `Err`, and
//! `add_figure` logs a PNG the reader decodes back to the rendered pixels.
#![cfg(feature = "figures")]

use tfevents::reader::{discover_runs, RunData};
use tfevents::summary::figure::{from_fn, render, BarChart, ConfusionMatrix, LineChart};
use tfevents::summary::image::ImageU8;
use tfevents::{Error, SummaryWriter};

/// Whether `e` is a structured input error about `name` (its `what` mentions it).
fn is_arg_error(e: &Error, name: &str) -> bool {
    match e.kind() {
        Error::LengthMismatch { what, .. }
        | Error::OutOfRange { what, .. }
        | Error::BadNumber { what, .. }
        | Error::BadShape { what, .. }
        | Error::Empty { what } => what.contains(name),
        _ => false,
    }
}

/// Pixels matching `pred` in the rectangle `x0..x1`, `y0..y1`.
fn count(
    img: &ImageU8,
    (x0, x1): (usize, usize),
    (y0, y1): (usize, usize),
    pred: impl Fn(&[u8]) -> bool,
) -> usize {
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (y, x)))
        .filter(|&(y, x)| img.pixel(y, x).is_some_and(&pred))
        .count()
}

fn dark_blue(p: &[u8]) -> bool {
    p[2] > 80 && p[0] < 40 && p[1] < 70
}

#[test]
fn a_perfect_classifier_fills_the_diagonal_dark_and_the_rest_pale() {
    let truth: Vec<usize> = (0..300).map(|i| i % 3).collect();
    let cm = ConfusionMatrix::from_predictions(&truth, &truth, 3).unwrap();
    assert_eq!(cm.accuracy(), Some(1.0));
    assert_eq!(cm.count(2, 2), Some(100));
    let img = render(&cm).unwrap();
    let (w, h) = (img.width(), img.height());
    // Row 0 (true class 0) is on top: its dark cell is on the left, the bottom row's on the
    // right, and the top-right corner of the plot is pale.
    let top_left = count(&img, (w / 5, w / 3), (h / 6, h / 3), dark_blue);
    let top_right = count(&img, (3 * w / 4, w - 30), (h / 6, h / 3), dark_blue);
    let bottom_right = count(&img, (3 * w / 4, w - 30), (2 * h / 3, 4 * h / 5), dark_blue);
    assert!(
        top_left > 1000,
        "top-left cell should be dark, {top_left} dark pixels"
    );
    assert!(
        bottom_right > 1000,
        "bottom-right cell should be dark, {bottom_right}"
    );
    assert_eq!(top_right, 0, "an empty cell is pale");
    // The counts are written in the cells: white ink on the dark diagonal.
    let white_ink = count(&img, (w / 5, w / 3), (h / 6, h / 3), |p| {
        p.iter().all(|&c| c > 200)
    });
    assert!(
        white_ink > 10,
        "the count 100 should be drawn in white, {white_ink} pixels"
    );
}

#[test]
fn confusion_matrix_inputs_are_checked() {
    let e = ConfusionMatrix::from_predictions(&[0, 1], &[0], 2).unwrap_err();
    assert!(is_arg_error(&e, "predicted"), "{e}");
    let e = ConfusionMatrix::from_predictions(&[0, 5], &[0, 1], 2).unwrap_err();
    assert!(
        is_arg_error(&e, "truth") && e.to_string().contains("below num_classes"),
        "{e}"
    );
    let e = ConfusionMatrix::from_predictions(&[], &[], 0).unwrap_err();
    assert!(is_arg_error(&e, "num_classes"), "{e}");
    let e = ConfusionMatrix::from_counts(2, vec![1, 2, 3]).unwrap_err();
    assert!(is_arg_error(&e, "counts"), "{e}");
    let e = ConfusionMatrix::from_counts(2, vec![1; 4])
        .unwrap()
        .class_names(["a"])
        .unwrap_err();
    assert!(is_arg_error(&e, "class_names"), "{e}");
}

#[test]
fn a_line_chart_draws_each_series_in_its_own_colour() {
    let fig = LineChart::new("loss")
        .axes("step", "loss")
        .series(
            "train",
            (0..50).map(|i| (f64::from(i), 1.0 / (1.0 + f64::from(i)))),
        )
        .unwrap()
        .series("eval", (0..50).map(|i| (f64::from(i), 0.5)))
        .unwrap();
    let img = render(&fig).unwrap();
    let all = (0, img.width());
    let rows = (0, img.height());
    let blue = count(&img, all, rows, |p| p == [31, 119, 180]);
    let orange = count(&img, all, rows, |p| p == [255, 127, 14]);
    assert!(
        blue > 300 && orange > 300,
        "blue {blue}, orange {orange} pixels"
    );
    let e = LineChart::new("x")
        .series("nan", [(0.0, f64::NAN)])
        .unwrap_err();
    assert!(
        is_arg_error(&e, "series `nan`") && matches!(e, Error::BadNumber { .. }),
        "{e}"
    );
    let e = LineChart::new("x").series("empty", []).unwrap_err();
    assert!(
        is_arg_error(&e, "series `empty`") && matches!(e, Error::Empty { .. }),
        "{e}"
    );
}

#[test]
fn a_bar_chart_draws_taller_bars_for_larger_values() {
    let fig = BarChart::new("accuracy", ["a", "b"], &[0.2, 0.9]).unwrap();
    let img = render(&fig).unwrap();
    let bar_height = |x0: usize, x1: usize| {
        (0..img.height())
            .filter(|&y| (x0..x1).any(|x| img.pixel(y, x).is_some_and(|p| p == [31, 119, 180])))
            .count()
    };
    let (a, b) = (
        bar_height(0, img.width() / 2),
        bar_height(img.width() / 2, img.width()),
    );
    assert!(a > 20 && b > 3 * a, "bar a is {a} px, bar b {b} px");
    let e = BarChart::new("x", ["a"], &[1.0, 2.0]).unwrap_err();
    assert!(is_arg_error(&e, "values"), "{e}");
    let e = BarChart::new("x", ["a"], &[f64::INFINITY]).unwrap_err();
    assert!(
        is_arg_error(&e, "value 0") && matches!(e, Error::BadNumber { .. }),
        "{e}"
    );
}

#[test]
fn a_drawing_error_and_a_bad_size_are_errors_not_panics() {
    let fig = from_fn(100, 100, |_| Err("no data yet".into()));
    let e = render(&fig).unwrap_err();
    assert!(
        matches!(&e, Error::Encode { what: "the figure", source } if source.to_string().contains("no data yet")),
        "{e}"
    );
    let e = render(&from_fn(0, 100, |_| Ok(()))).unwrap_err();
    assert!(is_arg_error(&e, "figure"), "{e}");
    let e = render(&from_fn(100, 100_000, |_| Ok(()))).unwrap_err();
    assert!(is_arg_error(&e, "figure"), "{e}");
}

#[test]
fn add_figure_logs_the_rendered_pixels_as_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let writer = SummaryWriter::new(dir.path()).unwrap();
    writer.add_scalar("before", 1.0, 0).unwrap();
    let cm = ConfusionMatrix::from_counts(2, vec![5, 1, 2, 7])
        .unwrap()
        .normalize(true);
    writer.add_figure("eval/confusion", &cm, 3).unwrap();
    let bad = from_fn(10, 10, |_| Err("broken".into()));
    assert!(writer.add_figure("eval/broken", &bad, 4).is_err());
    writer.close().unwrap();

    let runs = discover_runs(dir.path()).unwrap();
    let data = RunData::read(&runs[0]).unwrap();
    assert_eq!(
        data.scalars["before"].len(),
        1,
        "a failed figure loses nothing logged before"
    );
    assert!(!data.images.contains_key("eval/broken"));
    let logged = &data.images["eval/confusion"][0];
    assert_eq!(
        (logged.step, logged.width, logged.height, logged.colorspace),
        (3, 640, 560, 3)
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(&logged.encoded));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    assert_eq!(buf, render(&cm).unwrap().into_data());
}

#[test]
fn box_labels_are_drawn_in_the_box_colour_inside_its_corner() {
    use tfevents::summary::boxes::{draw_boxes, Boxes};
    let img = ImageU8::new(60, 120, 3, vec![0; 60 * 120 * 3]).unwrap();
    let green = [0u8, 255, 0];
    let plain = Boxes::new(&[[2.0, 2.0, 110.0, 50.0]])
        .unwrap()
        .colors(&[green])
        .unwrap();
    let labelled = plain.clone().labels(["cat"]).unwrap();
    let is_green = |p: &[u8]| p[1] > 100 && p[0] < 60;
    let inside = |img: &ImageU8| count(img, (4, 60), (4, 30), is_green);
    assert_eq!(inside(&draw_boxes(&img, &plain).unwrap()), 0);
    let drawn = inside(&draw_boxes(&img, &labelled).unwrap());
    assert!(
        drawn > 15,
        "the label `cat` should be drawn inside the box: {drawn} green pixels"
    );
}
