from minibert.course.experiments import main

main()
