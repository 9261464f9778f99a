//! Real images for the face image tests, made by real encoders (the `png` and
//! `jpeg-encoder` crates): a gradient, so images of one size differ by `seed`.

/// A PNG of `w` x `h` pixels.
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8 ^ seed).collect();
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, w, h);
    enc.set_color(::png::ColorType::Rgb);
    enc.set_depth(::png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("PNG header");
    writer.write_image_data(&data).expect("PNG data");
    writer.finish().expect("PNG end");
    out
}

/// A baseline JPEG of `w` x `h` pixels.
pub fn jpeg(w: u16, h: u16, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..u32::from(w) * u32::from(h) * 3)
        .map(|i| (i % 253) as u8 ^ seed)
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 80)
        .encode(&data, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("JPEG");
    out
}
