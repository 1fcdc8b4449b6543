enum ProcessSupervisorPlaceholder {}
