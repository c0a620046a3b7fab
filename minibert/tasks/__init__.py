"""Fine-tuning tasks (lessons 10-14): one module per task (``classification``, ``nli``, ``qa``, ``ner``,
``multiple_choice``, ``summarization``, ``translation``; ``fill_mask`` is a pipeline only), each defining
``TASK`` (`task.Task`); ``registry`` finds them; ``finetune``, ``pipelines`` and ``cli`` run any of them;
``batching``, ``windows``, ``formats`` and ``metrics`` are what the task modules share."""
