module @siglip_softmax_loss_ring attributes {stablehlo.num_replicas = 2} {
  func.func @main(%img: tensor<2x2xf32>, %txt: tensor<2x2xf32>, %t_prime: tensor<f32>, %bias: tensor<f32>) -> (tensor<f64>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<f64>, tensor<f64>) {
    %0 = "stablehlo.exponential"(%t_prime) : (tensor<f32>) -> tensor<f32>
    %1 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %2 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %3 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %4 = "stablehlo.multiply"(%2, %3) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %5 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<2x2xi32>
    %6 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<2x2xi32>
    %7 = "stablehlo.compare"(%6, %5) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi1>
    %8 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %10 = "stablehlo.reduce"(%4, %8) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %11 = "stablehlo.broadcast_in_dim"(%10) { broadcast_dimensions = array<i64: 0> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %12 = "stablehlo.subtract"(%4, %11) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %13 = "stablehlo.exponential"(%12) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %14 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %16 = "stablehlo.reduce"(%13, %14) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %17 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %18 = "stablehlo.reduce"(%4, %17) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %19 = "stablehlo.broadcast_in_dim"(%18) { broadcast_dimensions = array<i64: 1> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %20 = "stablehlo.subtract"(%4, %19) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %21 = "stablehlo.exponential"(%20) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %22 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %23 = "stablehlo.reduce"(%21, %22) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %24 = "stablehlo.convert"(%7) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %25 = "stablehlo.multiply"(%24, %4) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %26 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %27 = "stablehlo.reduce"(%24, %26) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %28 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %29 = "stablehlo.reduce"(%25, %28) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %30 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %31 = "stablehlo.reduce"(%24, %30) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %32 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %33 = "stablehlo.reduce"(%25, %32) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %34 = "stablehlo.reshape"(%18) : (tensor<2xf32>) -> tensor<1x2xf32>
    %35 = "stablehlo.reshape"(%23) : (tensor<2xf32>) -> tensor<1x2xf32>
    %36 = "stablehlo.reshape"(%31) : (tensor<2xf32>) -> tensor<1x2xf32>
    %37 = "stablehlo.reshape"(%33) : (tensor<2xf32>) -> tensor<1x2xf32>
    %38 = "stablehlo.concatenate"(%34, %35, %36, %37) { dimension = 0 : i64 } : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
    %39 = "stablehlo.collective_permute"(%txt) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %40 = "stablehlo.collective_permute"(%38) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %41 = "stablehlo.dot_general"(%img, %39) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %42 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %43 = "stablehlo.multiply"(%41, %42) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %44 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %45 = "stablehlo.reduce"(%43, %44) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %46 = "stablehlo.maximum"(%10, %45) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %47 = "stablehlo.subtract"(%10, %46) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %48 = "stablehlo.exponential"(%47) : (tensor<2xf32>) -> tensor<2xf32>
    %49 = "stablehlo.multiply"(%16, %48) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %50 = "stablehlo.broadcast_in_dim"(%46) { broadcast_dimensions = array<i64: 0> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %51 = "stablehlo.subtract"(%43, %50) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %52 = "stablehlo.exponential"(%51) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %53 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %54 = "stablehlo.reduce"(%52, %53) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %55 = "stablehlo.add"(%49, %54) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %56 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %57 = "stablehlo.reduce"(%43, %56) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %9 = "stablehlo.maximum"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%9) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %58 = "stablehlo.broadcast_in_dim"(%57) { broadcast_dimensions = array<i64: 1> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %59 = "stablehlo.subtract"(%43, %58) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %60 = "stablehlo.exponential"(%59) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %61 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %62 = "stablehlo.reduce"(%60, %61) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %63 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %64 = "stablehlo.broadcast_in_dim"(%63) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2xf32>
    %65 = "stablehlo.reshape"(%57) : (tensor<2xf32>) -> tensor<1x2xf32>
    %66 = "stablehlo.reshape"(%62) : (tensor<2xf32>) -> tensor<1x2xf32>
    %67 = "stablehlo.reshape"(%64) : (tensor<2xf32>) -> tensor<1x2xf32>
    %68 = "stablehlo.reshape"(%64) : (tensor<2xf32>) -> tensor<1x2xf32>
    %69 = "stablehlo.concatenate"(%65, %66, %67, %68) { dimension = 0 : i64 } : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
    %70 = "stablehlo.slice"(%40) {
      limit_indices = array<i64: 1, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %71 = "stablehlo.reshape"(%70) : (tensor<1x2xf32>) -> tensor<2xf32>
    %72 = "stablehlo.slice"(%40) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %73 = "stablehlo.reshape"(%72) : (tensor<1x2xf32>) -> tensor<2xf32>
    %74 = "stablehlo.slice"(%40) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %75 = "stablehlo.reshape"(%74) : (tensor<1x2xf32>) -> tensor<2xf32>
    %76 = "stablehlo.slice"(%40) {
      limit_indices = array<i64: 4, 2>,
      start_indices = array<i64: 3, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %77 = "stablehlo.reshape"(%76) : (tensor<1x2xf32>) -> tensor<2xf32>
    %78 = "stablehlo.slice"(%69) {
      limit_indices = array<i64: 1, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %79 = "stablehlo.reshape"(%78) : (tensor<1x2xf32>) -> tensor<2xf32>
    %80 = "stablehlo.slice"(%69) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %81 = "stablehlo.reshape"(%80) : (tensor<1x2xf32>) -> tensor<2xf32>
    %82 = "stablehlo.slice"(%69) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %83 = "stablehlo.reshape"(%82) : (tensor<1x2xf32>) -> tensor<2xf32>
    %84 = "stablehlo.slice"(%69) {
      limit_indices = array<i64: 4, 2>,
      start_indices = array<i64: 3, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %85 = "stablehlo.reshape"(%84) : (tensor<1x2xf32>) -> tensor<2xf32>
    %86 = "stablehlo.maximum"(%71, %79) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %87 = "stablehlo.subtract"(%71, %86) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %88 = "stablehlo.exponential"(%87) : (tensor<2xf32>) -> tensor<2xf32>
    %89 = "stablehlo.multiply"(%73, %88) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %90 = "stablehlo.subtract"(%79, %86) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %91 = "stablehlo.exponential"(%90) : (tensor<2xf32>) -> tensor<2xf32>
    %92 = "stablehlo.multiply"(%81, %91) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %93 = "stablehlo.add"(%89, %92) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %94 = "stablehlo.add"(%75, %83) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %95 = "stablehlo.add"(%77, %85) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %96 = "stablehlo.reshape"(%86) : (tensor<2xf32>) -> tensor<1x2xf32>
    %97 = "stablehlo.reshape"(%93) : (tensor<2xf32>) -> tensor<1x2xf32>
    %98 = "stablehlo.reshape"(%94) : (tensor<2xf32>) -> tensor<1x2xf32>
    %99 = "stablehlo.reshape"(%95) : (tensor<2xf32>) -> tensor<1x2xf32>
    %100 = "stablehlo.concatenate"(%96, %97, %98, %99) { dimension = 0 : i64 } : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
    %101 = "stablehlo.collective_permute"(%100) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %102 = "stablehlo.log"(%55) : (tensor<2xf32>) -> tensor<2xf32>
    %103 = "stablehlo.add"(%46, %102) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %104 = "stablehlo.slice"(%101) {
      limit_indices = array<i64: 1, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %105 = "stablehlo.reshape"(%104) : (tensor<1x2xf32>) -> tensor<2xf32>
    %106 = "stablehlo.slice"(%101) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %107 = "stablehlo.reshape"(%106) : (tensor<1x2xf32>) -> tensor<2xf32>
    %108 = "stablehlo.slice"(%101) {
      limit_indices = array<i64: 3, 2>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %109 = "stablehlo.reshape"(%108) : (tensor<1x2xf32>) -> tensor<2xf32>
    %110 = "stablehlo.slice"(%101) {
      limit_indices = array<i64: 4, 2>,
      start_indices = array<i64: 3, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %111 = "stablehlo.reshape"(%110) : (tensor<1x2xf32>) -> tensor<2xf32>
    %112 = "stablehlo.log"(%107) : (tensor<2xf32>) -> tensor<2xf32>
    %113 = "stablehlo.add"(%105, %112) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %114 = "stablehlo.divide"(%29, %27) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %115 = "stablehlo.subtract"(%103, %114) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %116 = "stablehlo.divide"(%111, %109) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %117 = "stablehlo.subtract"(%113, %116) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %118 = "stablehlo.convert"(%115) : (tensor<2xf32>) -> tensor<2xf64>
    %119 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %121 = "stablehlo.reduce"(%118, %119) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %120 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%120) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %122 = "stablehlo.constant"() { value = dense<0.125> : tensor<f64> } : () -> tensor<f64>
    %123 = "stablehlo.multiply"(%121, %122) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %124 = "stablehlo.convert"(%117) : (tensor<2xf32>) -> tensor<2xf64>
    %125 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %126 = "stablehlo.reduce"(%124, %125) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %120 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%120) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %127 = "stablehlo.constant"() { value = dense<0.125> : tensor<f64> } : () -> tensor<f64>
    %128 = "stablehlo.multiply"(%126, %127) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %129 = "stablehlo.add"(%123, %128) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %130 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %131 = "stablehlo.broadcast_in_dim"(%130) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2xf32>
    %132 = "stablehlo.divide"(%131, %27) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %133 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %134 = "stablehlo.broadcast_in_dim"(%133) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2xf32>
    %135 = "stablehlo.divide"(%134, %109) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %136 = "stablehlo.reshape"(%113) : (tensor<2xf32>) -> tensor<1x2xf32>
    %137 = "stablehlo.reshape"(%135) : (tensor<2xf32>) -> tensor<1x2xf32>
    %138 = "stablehlo.concatenate"(%136, %137) { dimension = 0 : i64 } : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
    %139 = "stablehlo.dot_general"(%img, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %140 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %141 = "stablehlo.multiply"(%139, %140) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %142 = "stablehlo.iota"() { iota_dimension = 1 : i64 } : () -> tensor<2x2xi32>
    %143 = "stablehlo.iota"() { iota_dimension = 0 : i64 } : () -> tensor<2x2xi32>
    %144 = "stablehlo.compare"(%143, %142) {
      compare_type = #stablehlo<comparison_type SIGNED>,
      comparison_direction = #stablehlo<comparison_direction EQ>
    } : (tensor<2x2xi32>, tensor<2x2xi32>) -> tensor<2x2xi1>
    %145 = "stablehlo.slice"(%138) {
      limit_indices = array<i64: 1, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x2xf32>) -> tensor<1x2xf32>
    %146 = "stablehlo.reshape"(%145) : (tensor<1x2xf32>) -> tensor<2xf32>
    %147 = "stablehlo.broadcast_in_dim"(%103) { broadcast_dimensions = array<i64: 0> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %148 = "stablehlo.subtract"(%141, %147) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %149 = "stablehlo.exponential"(%148) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %150 = "stablehlo.broadcast_in_dim"(%146) { broadcast_dimensions = array<i64: 1> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %151 = "stablehlo.subtract"(%141, %150) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %152 = "stablehlo.exponential"(%151) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %153 = "stablehlo.convert"(%144) : (tensor<2x2xi1>) -> tensor<2x2xf32>
    %154 = "stablehlo.broadcast_in_dim"(%132) { broadcast_dimensions = array<i64: 0> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %155 = "stablehlo.multiply"(%153, %154) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %156 = "stablehlo.subtract"(%149, %155) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %157 = "stablehlo.slice"(%138) {
      limit_indices = array<i64: 2, 2>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x2xf32>) -> tensor<1x2xf32>
    %158 = "stablehlo.reshape"(%157) : (tensor<1x2xf32>) -> tensor<2xf32>
    %159 = "stablehlo.broadcast_in_dim"(%158) { broadcast_dimensions = array<i64: 1> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %160 = "stablehlo.multiply"(%153, %159) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %161 = "stablehlo.subtract"(%152, %160) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %162 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %163 = "stablehlo.broadcast_in_dim"(%162) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %164 = "stablehlo.multiply"(%156, %163) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %165 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %166 = "stablehlo.broadcast_in_dim"(%165) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %167 = "stablehlo.multiply"(%161, %166) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %168 = "stablehlo.add"(%164, %167) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %169 = "stablehlo.multiply"(%168, %141) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %170 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %171 = "stablehlo.reduce"(%169, %170) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %172 = "stablehlo.convert"(%171) : (tensor<2xf32>) -> tensor<2xf64>
    %173 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %174 = "stablehlo.reduce"(%172, %173) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %120 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%120) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %175 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %176 = "stablehlo.multiply"(%168, %175) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %177 = "stablehlo.dot_general"(%176, %txt) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %178 = "stablehlo.dot_general"(%176, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %179 = "stablehlo.collective_permute"(%txt) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %180 = "stablehlo.collective_permute"(%138) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %181 = "stablehlo.collective_permute"(%178) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %182 = "stablehlo.dot_general"(%img, %179) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %183 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %184 = "stablehlo.multiply"(%182, %183) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %185 = "stablehlo.slice"(%180) {
      limit_indices = array<i64: 1, 2>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x2xf32>) -> tensor<1x2xf32>
    %186 = "stablehlo.reshape"(%185) : (tensor<1x2xf32>) -> tensor<2xf32>
    %187 = "stablehlo.broadcast_in_dim"(%103) { broadcast_dimensions = array<i64: 0> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %188 = "stablehlo.subtract"(%184, %187) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %189 = "stablehlo.exponential"(%188) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %190 = "stablehlo.broadcast_in_dim"(%186) { broadcast_dimensions = array<i64: 1> } : (tensor<2xf32>) -> tensor<2x2xf32>
    %191 = "stablehlo.subtract"(%184, %190) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %192 = "stablehlo.exponential"(%191) : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %193 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %194 = "stablehlo.broadcast_in_dim"(%193) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %195 = "stablehlo.multiply"(%189, %194) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %196 = "stablehlo.constant"() { value = dense<0.125> : tensor<f32> } : () -> tensor<f32>
    %197 = "stablehlo.broadcast_in_dim"(%196) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %198 = "stablehlo.multiply"(%192, %197) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %199 = "stablehlo.add"(%195, %198) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %200 = "stablehlo.multiply"(%199, %184) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %201 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %202 = "stablehlo.reduce"(%200, %201) ({
      ^reductionFn(%lhs: tensor<f32>, %rhs: tensor<f32>) :
          %15 = "stablehlo.add"(%lhs, %rhs) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%15) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<2x2xf32>, tensor<f32>) -> tensor<2xf32>
    %203 = "stablehlo.convert"(%202) : (tensor<2xf32>) -> tensor<2xf64>
    %204 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %205 = "stablehlo.reduce"(%203, %204) ({
      ^reductionFn(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %120 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%120) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<2xf64>, tensor<f64>) -> tensor<f64>
    %206 = "stablehlo.add"(%174, %205) : (tensor<f64>, tensor<f64>) -> tensor<f64>
    %207 = "stablehlo.broadcast_in_dim"(%0) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<2x2xf32>
    %208 = "stablehlo.multiply"(%199, %207) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %209 = "stablehlo.dot_general"(%208, %179) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %210 = "stablehlo.add"(%177, %209) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %211 = "stablehlo.dot_general"(%208, %img) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]
    } : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %212 = "stablehlo.add"(%181, %211) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %213 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %214 = "stablehlo.collective_permute"(%212) { source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64> } : (tensor<2x2xf32>) -> tensor<2x2xf32>
    %216, %217 = "stablehlo.all_reduce"(%129, %206) ({
      ^computation(%lhs: tensor<f64>, %rhs: tensor<f64>) :
          %215 = "stablehlo.add"(%lhs, %rhs) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%215) : (tensor<f64>) -> ()
    }) { replica_groups = dense<[[0, 1]]> : tensor<1x2xi64> } : (tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>)
    "stablehlo.return"(%216, %210, %214, %217, %213) : (tensor<f64>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<f64>, tensor<f64>) -> ()
  }
}
