"""The training figures are pure: plain numbers in, a Plotly figure and its table out, both
telling the same numbers, French labels by default."""

from __future__ import annotations

from dashboards.figures.training import (
    LABELS,
    CourseProgress,
    SchoolHours,
    TrainingCascade,
    WaveWorkload,
    completion_table,
    hours_per_teacher_table,
    plot_completion,
    plot_hours_per_teacher,
    plot_training_cascade,
    plot_workload,
    training_cascade_table,
    workload_table,
)

CASCADE = TrainingCascade(trainers_trained=4, leadership_briefed=12,
                          teachers_by_modality={"face_to_face": 300, "online": 120},
                          teachers_active=350, certified_by_level={"initie": 40, "expert": 2})


def test_the_cascade_stacks_modalities_and_levels_in_funnel_order() -> None:
    figure = plot_training_cascade(CASCADE)
    stages = list(figure.data[0].y)
    assert stages == ["Formateurs formés", "Directions sensibilisées", "Enseignants formés",
                      "Enseignants actifs sur l'ENT", "Enseignants certifiés Pix+ Édu"]
    by_name = {trace.name: list(trace.x) for trace in figure.data}
    assert by_name["Total"] == [4, 12, 0, 350, 0]
    assert by_name["Présentiel"] == [0, 0, 300, 0, 0] and by_name["Hybride"] == [0, 0, 0, 0, 0]
    assert by_name["Expert"] == [0, 0, 0, 0, 2]
    patterns = {trace.marker.pattern.shape for trace in figure.data}
    assert len(patterns) >= 4  # parts differ by pattern, not colour alone
    table = training_cascade_table(CASCADE)
    assert table.columns == ("Étape", "Détail", "Nombre")
    assert ("Enseignants formés", "Distanciel", 120) in table.rows and ("Enseignants formés", "Hybride", 0) in table.rows
    assert sum(row[2] for row in table.rows) == sum(sum(trace.x) for trace in figure.data)


def test_the_cascade_speaks_the_labels_it_is_given() -> None:
    english = LABELS | {"trainers_trained": "Trainers trained", "online": "Online"}
    figure = plot_training_cascade(CASCADE, english)
    assert figure.data[0].y[0] == "Trainers trained" and "Online" in {trace.name for trace in figure.data}


def test_the_workload_puts_planned_held_and_cancelled_side_by_side() -> None:
    waves = [WaveWorkload("Vague 1", 10, 8, 2), WaveWorkload("Vague 2", 6, 0, 0)]
    figure = plot_workload(waves)
    assert figure.layout.barmode == "group"
    assert [(trace.name, list(trace.y)) for trace in figure.data] == [
        ("Sessions prévues (plan adopté)", [10, 6]), ("Sessions réalisées", [8, 0]), ("Sessions annulées", [2, 0])]
    assert workload_table(waves).rows == [("Vague 1", 10, 8, 2), ("Vague 2", 6, 0, 0)]


def test_hours_per_teacher_rank_schools_the_most_trained_first() -> None:
    schools = [SchoolHours("0930001A", "Collège A", 40, 120.0), SchoolHours("0930002B", "Collège B", 20, 150.0),
               SchoolHours("0930003C", "Collège C", 30, 0.0)]
    figure = plot_hours_per_teacher(schools)
    assert list(figure.data[0].y) == ["Collège B (0930002B)", "Collège A (0930001A)", "Collège C (0930003C)"]
    assert list(figure.data[0].x) == [7.5, 3.0, 0.0] and figure.data[0].text[0] == "7,5"
    assert hours_per_teacher_table(schools).rows[0] == ("Collège B", "0930002B", 20, 150.0, 7.5)


def test_completion_rates_say_completed_over_enrolled_and_none_without_enrolment() -> None:
    courses = [CourseProgress("Parcours A", 40, 10, 10), CourseProgress("Parcours B", 0, 0, 0)]
    figure = plot_completion(courses)
    assert list(figure.data[0].x) == [0.25, 0] and list(figure.data[0].text) == ["10 / 40", "0 / 0"]
    assert tuple(figure.layout.xaxis.range) == (0, 1)
    assert completion_table(courses).rows == [("Parcours A", 40, 10, 10, 0.25), ("Parcours B", 0, 0, 0, None)]


def test_beyond_the_bars_limit_hours_per_teacher_are_a_distribution_that_says_so() -> None:
    from dashboards.figures.training import BARS_LIMIT

    schools = [SchoolHours(f"{index:07d}X", f"Collège {index}", 20, float(index % 60)) for index in range(BARS_LIMIT + 1)]
    figure = plot_hours_per_teacher(schools)
    (histogram,) = figure.data
    assert histogram.type == "histogram" and len(histogram.x) == BARS_LIMIT + 1 and histogram.x[58] == 2.9
    assert figure.layout.title.text.startswith(f"{BARS_LIMIT + 1} établissements") and "tableau des données" in figure.layout.title.text
    assert len(hours_per_teacher_table(schools).rows) == BARS_LIMIT + 1  # every school stays in the table
