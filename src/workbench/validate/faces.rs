//! The face image cells against the face folder: the file each cell names, its bytes, and
//! the other rows naming the same file or a file with the same bytes.

use std::collections::HashSet;
use std::sync::Arc;

use crate::model::Sheet;
use crate::workbench::faces::{loose_key, FaceFolder, ImageProblem, Lookup};
use crate::workbench::mapping::Mapping;

use super::plan::{cell_at, Plan};
use super::row::{face_file_ok, has_data};
use super::{Finding, Report, Rule};

/// No image (a blank cell, a bad name, or a file not found by its exact name).
const NONE: u32 = u32::MAX;

/// The face folder and which rows name which of its images.
#[derive(Debug, Clone)]
pub(super) struct FaceLayer {
    /// The folder the cells are checked against.
    pub(super) folder: Arc<FaceFolder>,
    first_data: usize,
    /// Per data row: the images its two face cells name exactly ([`NONE`]: none).
    row_images: Vec<[u32; 2]>,
    /// Per image: the rows naming it exactly, ascending (a row naming it twice, twice).
    named_by: Vec<Vec<u32>>,
}

/// The rule of an image problem.
fn rule_of(problem: ImageProblem) -> Rule {
    match problem {
        ImageProblem::NotJpgPng => Rule::FaceImageNotJpgPng,
        ImageProblem::Damaged => Rule::FaceImageDamaged,
        ImageProblem::TooManyBytes => Rule::FaceImageOver10Mb,
        ImageProblem::TooLarge => Rule::FaceImageOver4000,
        ImageProblem::TooSmall => Rule::FaceImageUnder250,
    }
}

/// The image problem a face rule stands for, if it is one.
pub(super) fn problem_of(rule: Rule) -> Option<ImageProblem> {
    Some(match rule {
        Rule::FaceImageNotJpgPng => ImageProblem::NotJpgPng,
        Rule::FaceImageDamaged => ImageProblem::Damaged,
        Rule::FaceImageOver10Mb => ImageProblem::TooManyBytes,
        Rule::FaceImageOver4000 => ImageProblem::TooLarge,
        Rule::FaceImageUnder250 => ImageProblem::TooSmall,
        _ => return None,
    })
}

/// The image a face cell names exactly, or [`NONE`].
pub(super) fn exact_image(folder: &FaceFolder, v: &str) -> u32 {
    if !has_data(v) || !face_file_ok(v) {
        return NONE;
    }
    match folder.find(v) {
        Lookup::Exact(i) => i,
        _ => NONE,
    }
}

impl FaceLayer {
    /// The layer for `folder` over the data rows of `sheet`.
    pub(super) fn build(
        folder: Arc<FaceFolder>,
        sheet: &Sheet,
        plan: &Plan,
        first_data: usize,
    ) -> FaceLayer {
        let mut layer = FaceLayer {
            named_by: vec![Vec::new(); folder.images().len()],
            folder,
            first_data,
            row_images: Vec::with_capacity(sheet.len().saturating_sub(first_data)),
        };
        for row in first_data..sheet.len() {
            let images = layer.images_of(sheet, plan, row);
            for &i in &images {
                if let Some(rows) = layer.named_by.get_mut(i as usize) {
                    rows.push(row as u32);
                }
            }
            layer.row_images.push(images);
        }
        layer
    }

    /// The images the face cells of `row` name exactly.
    fn images_of(&self, sheet: &Sheet, plan: &Plan, row: usize) -> [u32; 2] {
        plan.faces
            .map(|col| exact_image(&self.folder, cell_at(sheet, row, col)))
    }

    /// Moves `row` to the images its cells name now; returns the other rows whose face
    /// findings may have changed (those naming an image it left or joined, or an image
    /// with the same bytes).
    pub(super) fn move_row(&mut self, sheet: &Sheet, plan: &Plan, row: usize) -> Vec<usize> {
        let new = self.images_of(sheet, plan, row);
        let Some(slot) = row
            .checked_sub(self.first_data)
            .and_then(|i| self.row_images.get_mut(i))
        else {
            return Vec::new();
        };
        let old = std::mem::replace(slot, new);
        if old == new {
            return Vec::new();
        }
        for i in old {
            if let Some(rows) = self.named_by.get_mut(i as usize) {
                if let Some(p) = rows.iter().position(|&r| r as usize == row) {
                    rows.remove(p);
                }
            }
        }
        for i in new {
            if let Some(rows) = self.named_by.get_mut(i as usize) {
                let p = rows.partition_point(|&r| (r as usize) < row);
                rows.insert(p, row as u32);
            }
        }
        let mut out: Vec<usize> = Vec::new();
        for i in old.into_iter().chain(new).filter(|&i| i != NONE) {
            for j in self.same_bytes_or_self(i) {
                let rows = self.named_by.get(j as usize).map_or(&[][..], Vec::as_slice);
                out.extend(rows.iter().map(|&r| r as usize).filter(|&r| r != row));
            }
        }
        out
    }

    /// Image `i` and the images with the same bytes.
    fn same_bytes_or_self(&self, i: u32) -> Vec<u32> {
        match self.folder.same_bytes(i) {
            [] => vec![i],
            group => group.to_vec(),
        }
    }

    /// The face findings of the cell `v` of `row` (a well-formed JPG/PNG name), each
    /// with its other row.
    pub(super) fn check_cell(&self, row: usize, v: &str, mut add: impl FnMut(Rule, Option<u32>)) {
        let i = match self.folder.find(v) {
            Lookup::Missing if self.folder.in_subfolder(v).is_some() => {
                return add(Rule::FaceImageInSubfolder, None)
            }
            Lookup::Missing => return add(Rule::FaceImageMissing, None),
            Lookup::Differs(_) if self.folder.same_text_as(v).is_some() => {
                return add(Rule::FaceImageUnicodeForm, None)
            }
            Lookup::Differs(_) => return add(Rule::FaceImageNameDiffers, None),
            Lookup::Exact(i) => i,
        };
        if v.trim() != v {
            add(Rule::FaceImageNameSpaces, None);
        }
        if let Some(image) = self.folder.image(i) {
            for problem in image.problems() {
                add(rule_of(problem), None);
            }
        }
        let other_row = |j: u32| {
            self.named_by
                .get(j as usize)
                .and_then(|rows| rows.iter().find(|&&r| r as usize != row).copied())
        };
        if let Some(other) = other_row(i) {
            add(Rule::FaceImageShared, Some(other));
        }
        let twin = self
            .folder
            .same_bytes(i)
            .iter()
            .filter(|&&j| j != i)
            .find_map(|&j| other_row(j));
        if let Some(other) = twin {
            add(Rule::FaceImageSameBytes, Some(other));
        }
    }

    /// Whether image `i` is named by any row, exactly.
    fn is_named(&self, i: u32) -> bool {
        self.named_by
            .get(i as usize)
            .is_some_and(|rows| !rows.is_empty())
    }
}

impl Report {
    /// The face folder the report was made with, if any.
    pub fn face_folder(&self) -> Option<&Arc<FaceFolder>> {
        self.faces.as_ref().map(|f| &f.folder)
    }

    /// A finding's message, naming the face folder's files for the face image rules.
    pub fn message(
        &self,
        finding: &Finding,
        sheet: &Sheet,
        header_row: usize,
        mapping: &Mapping,
    ) -> String {
        let folder = self.face_folder().map(|f| &**f);
        finding.message_with_faces(sheet, header_row, mapping, folder)
    }

    /// The images of the face folder that no row names (not even with a case or
    /// extension difference), by folder index.
    pub fn unnamed_images(&self, sheet: &Sheet, mapping: &Mapping) -> Vec<u32> {
        let Some(layer) = &self.faces else {
            return Vec::new();
        };
        let plan = Plan::new(sheet, self.header_row, mapping);
        let mut loose: HashSet<String> = HashSet::new();
        for row in self.data_rows() {
            for col in plan.faces {
                let v = cell_at(sheet, row, col);
                if has_data(v) {
                    loose.insert(loose_key(v));
                }
            }
        }
        (0..layer.folder.images().len() as u32)
            .filter(|&i| !layer.is_named(i))
            .filter(|&i| {
                layer
                    .folder
                    .image(i)
                    .is_some_and(|image| !loose.contains(&loose_key(&image.name)))
            })
            .collect()
    }
}
