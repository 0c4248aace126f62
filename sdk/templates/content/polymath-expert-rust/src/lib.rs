//! my_expert: a Polymath expert in Rust with the larql ABI (docs/experts.md). Ops:
//!   my_expert_scale {"x": num, "factor": num} -> x * factor (a float); declined when an arg is missing or not a number.
//! The host calls larql_alloc twice (op, args), larql_call, larql_dealloc twice, then reads the NUL-terminated result
//! and frees it with larql_dealloc(ptr, len + 1); larql_metadata's text is freed the same way. Everything here is std only: no crates.io.

use std::alloc::{alloc, dealloc, Layout};

const ID: &str = "my_expert";
const METADATA: &str = concat!(
    r#"{"id":"my_expert","tier":1,"description":"my_expert: a Polymath expert in Rust","version":"0.1.0","#,
    r#""ops":[{"name":"my_expert_scale","args":["x","factor"]}]}"#,
    "\0"
);

/// Allocates `len` bytes (alignment 1); 0 when it cannot.
#[no_mangle]
pub extern "C" fn larql_alloc(len: i32) -> i32 {
    if len <= 0 {
        return 0;
    }
    match Layout::from_size_align(len as usize, 1) {
        Ok(layout) => unsafe { alloc(layout) as i32 },
        Err(_) => 0,
    }
}

/// Frees what `larql_alloc` (or a result) allocated; `len` is the allocated length.
#[no_mangle]
pub extern "C" fn larql_dealloc(ptr: i32, len: i32) {
    if ptr == 0 || len <= 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(len as usize, 1) {
        unsafe { dealloc(ptr as *mut u8, layout) }
    }
}

/// The expert's metadata: a NUL-terminated JSON ExpertMetadata in a fresh allocation (the host frees it like a result).
#[no_mangle]
pub extern "C" fn larql_metadata() -> i32 {
    copy_out(METADATA)
}

/// Runs an op: a pointer to a NUL-terminated JSON ExpertResult the host frees, or 0 (declined).
#[no_mangle]
pub extern "C" fn larql_call(op_ptr: i32, op_len: i32, args_ptr: i32, args_len: i32) -> i32 {
    let op = unsafe { bytes(op_ptr, op_len) };
    let args = unsafe { bytes(args_ptr, args_len) };
    let value = match (std::str::from_utf8(op), std::str::from_utf8(args)) {
        (Ok("my_expert_scale"), Ok(args)) => scale(args),
        _ => None,
    };
    match value {
        Some(v) => result(std::str::from_utf8(op).unwrap_or(""), &v),
        None => 0,
    }
}

fn scale(args: &str) -> Option<String> {
    let x = number_arg(args, "x")?;
    let factor = number_arg(args, "factor")?;
    Some(float_json(x * factor))
}

unsafe fn bytes<'a>(ptr: i32, len: i32) -> &'a [u8] {
    if ptr == 0 || len <= 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr as *const u8, len as usize)
    }
}

/// The number value of top-level key `key` in a JSON object (a small scanner: enough for flat numeric args).
fn number_arg(json: &str, key: &str) -> Option<f64> {
    let b = json.as_bytes();
    let (mut i, mut depth) = (0usize, 0i32);
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let name = json.get(start..j.min(b.len()))?;
                let mut k = j + 1;
                while k < b.len() && (b[k] as char).is_ascii_whitespace() {
                    k += 1;
                }
                if depth == 1 && k < b.len() && b[k] == b':' && name == key {
                    let rest = json[k + 1..].trim_start();
                    let end = rest.find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c))).unwrap_or(rest.len());
                    return rest[..end].parse::<f64>().ok().filter(|v| v.is_finite());
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn float_json(v: f64) -> String {
    if !v.is_finite() {
        "null".to_string()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{:.1}", v)
    } else {
        format!("{}", v)
    }
}

/// Writes `{"value":…,"confidence":1.0,"latency_ns":0,"expert_id":…,"op":…}` plus a NUL into a fresh allocation.
fn result(op: &str, value: &str) -> i32 {
    let text = format!(
        "{{\"value\":{},\"confidence\":1.0,\"latency_ns\":0,\"expert_id\":\"{}\",\"op\":\"{}\"}}\0",
        value, ID, op
    );
    copy_out(&text)
}

/// Copies `text` (NUL included) into a fresh allocation; 0 when out of memory.
fn copy_out(text: &str) -> i32 {
    let ptr = larql_alloc(text.len() as i32);
    if ptr != 0 {
        unsafe { std::ptr::copy_nonoverlapping(text.as_ptr(), ptr as *mut u8, text.len()) };
    }
    ptr
}
