"""Results of a round: funded projects, a chart, an explanation for every project, downloads."""
