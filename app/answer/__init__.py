"""Grounded answers: rewrite a follow-up, retrieve, abstain or answer from numbered context, verify citations.

The public names are `AnswerPipeline` and `build_answer_pipeline` (see BRIEF contracts); the small modules
beside this file each do one step so they can be tested without a model.
"""

from app.answer.pipeline import AnswerPipeline, build_answer_pipeline
from app.answer.question import QuestionError

__all__ = ["AnswerPipeline", "QuestionError", "build_answer_pipeline"]
